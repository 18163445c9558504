"""The quality gate: every error rule blocks, warn rules only report, a blocked run publishes
nothing, and the report's numbers are the run's."""

import html.parser
import json
from collections.abc import Callable

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hotpass.cli.app import app
from hotpass.validate import gate_tables
from hotpass.validate.gate import batch_columns, load_suites, run_gate, suite_columns
from tests.python.hotpass.golden_run import refine_into, write_broken_source


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return refine_into(tmp_path_factory.mktemp("gate") / "ws")


@pytest.fixture(scope="module")
def baseline(run):
    """Gate tables of a good run: golden tables, the per-source summary and the raw rows."""
    import pandas as pd

    from hotpass.ingest import ingest
    from hotpass.profiles import builtin_profiles
    from tests.python.hotpass.golden_run import SAMPLES

    organisations = pq.read_table(run.export / "organisations.parquet")
    contacts = pq.read_table(run.export / "contacts.parquet")
    raw = ingest(SAMPLES, profile=None, profiles=builtin_profiles(), max_bytes=2**30).raw
    sources = pd.DataFrame(
        [
            {
                "source_file": "a.csv",
                "profile": "generic",
                "rows_ingested": 10,
                "quarantined": 1,
                "quarantine_share": 0.1,
            }
        ]
    )
    return gate_tables(organisations, contacts, sources, raw)


def _first(frame, column, value):
    return frame.index[frame[column] == value][0]


def _set(table, column, value, *, where=None):
    def mutate(tables):
        frame = tables[table]
        row = 0 if where is None else _first(frame, *where)
        if value is None or isinstance(value, str):
            frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value

    return mutate


def _copy_id(table, column):
    def mutate(tables):
        frame = tables[table]
        frame.loc[1, column] = frame.loc[0, column]

    return mutate


def _empty(table):
    def mutate(tables):
        tables[table] = tables[table].iloc[0:0]

    return mutate


def _names_missing(table):
    def mutate(tables):
        frame = tables[table]
        rows = frame.index[frame["role"] == "organisation"]
        frame.loc[rows[: max(2, len(rows) // 5)], "organisation_name"] = None

    return mutate


def _dnc_primary(tables):
    frame = tables["contacts"]
    frame.loc[0, "do_not_contact"] = True
    frame.loc[0, "is_primary"] = True


def _dnc_in_call_list(tables):
    frame = tables["organisations"]
    frame.loc[_first(frame, "do_not_contact", True), "in_call_list"] = True


RAW = ["raw_sacaa", "raw_reachout", "raw_contact_database", "raw_generic"]
# One violating change per error rule: (suite, expectation, column, row condition) -> mutation.
Rule = tuple[str, str, str | None, str | None]
MUTATIONS: dict[Rule, Callable[[dict], None]] = {
    ("golden_organisations", "expect_table_row_count_to_be_between", None, None): _empty(
        "organisations"
    ),
    ("golden_organisations", "expect_column_values_to_not_be_null", "org_id", None): _set(
        "organisations", "org_id", None
    ),
    ("golden_organisations", "expect_column_values_to_be_unique", "org_id", None): _copy_id(
        "organisations", "org_id"
    ),
    ("golden_organisations", "expect_column_values_to_not_be_null", "display_name", None): _set(
        "organisations", "display_name", None
    ),
    ("golden_organisations", "expect_column_values_to_match_regex", "match_key", None): _set(
        "organisations", "match_key", "Not A Key!"
    ),
    ("golden_organisations", "expect_column_values_to_be_in_set", "record_kind", None): _set(
        "organisations", "record_kind", "branch"
    ),
    (
        "golden_organisations",
        "expect_column_values_to_be_null",
        "parent_org_id",
        'record_kind=="organisation"',
    ): _set("organisations", "parent_org_id", "org_x", where=("record_kind", "organisation")),
    (
        "golden_organisations",
        "expect_column_values_to_not_be_null",
        "parent_org_id",
        'record_kind=="site"',
    ): _set("organisations", "parent_org_id", None, where=("record_kind", "site")),
    ("golden_organisations", "expect_column_values_to_be_in_set", "province", None): _set(
        "organisations", "province", "Unknown"
    ),
    ("golden_organisations", "expect_column_values_to_match_regex", "website_domain", None): _set(
        "organisations", "website_domain", "not a domain"
    ),
    (
        "golden_organisations",
        "expect_column_values_to_be_between",
        "data_quality_score",
        None,
    ): _set("organisations", "data_quality_score", 1.5),
    (
        "golden_organisations",
        "expect_column_values_to_be_between",
        "source_record_count",
        None,
    ): _set("organisations", "source_record_count", 0),
    ("golden_organisations", "expect_column_values_to_be_between", "lead_score", None): _set(
        "organisations", "lead_score", 1.5
    ),
    (
        "golden_organisations",
        "expect_column_values_to_be_in_set",
        "in_call_list",
        "do_not_contact==True",
    ): _dnc_in_call_list,
    ("golden_contacts", "expect_column_values_to_not_be_null", "contact_id", None): _set(
        "contacts", "contact_id", None
    ),
    ("golden_contacts", "expect_column_values_to_be_unique", "contact_id", None): _copy_id(
        "contacts", "contact_id"
    ),
    ("golden_contacts", "expect_column_values_to_not_be_null", "org_id", None): _set(
        "contacts", "org_id", None
    ),
    ("golden_contacts", "expect_column_values_to_match_regex", "email", None): _set(
        "contacts", "email", "Not An Email"
    ),
    ("golden_contacts", "expect_column_values_to_match_regex", "phone", None): _set(
        "contacts", "phone", "0821234567"
    ),
    (
        "golden_contacts",
        "expect_column_values_to_be_in_set",
        "is_primary",
        "do_not_contact==True",
    ): _dnc_primary,
    ("sources", "expect_column_values_to_be_between", "quarantine_share", None): _set(
        "sources", "quarantine_share", 0.6
    ),
    ("sources", "expect_column_values_to_be_between", "rows_ingested", None): _set(
        "sources", "rows_ingested", 0
    ),
    **{
        (raw, "expect_column_values_to_not_be_null", "organisation_name", 'role=="organisation"'): (
            _names_missing(raw)
        )
        for raw in RAW
    },
    **{
        (raw, "expect_column_values_to_be_unique", "record_id", None): _copy_id(raw, "record_id")
        for raw in RAW
    },
}


def _error_rules():
    for suite in load_suites():
        for item in suite["expectations"]:
            if item["severity"] == "critical":
                kwargs = item["kwargs"]
                yield (
                    suite["name"],
                    item["type"],
                    kwargs.get("column"),
                    kwargs.get("row_condition"),
                )


def test_every_error_rule_has_a_violating_case():
    assert set(_error_rules()) == set(MUTATIONS)


@pytest.mark.parametrize("rule", sorted(MUTATIONS, key=str), ids=lambda r: f"{r[0]}:{r[1]}:{r[2]}")
def test_each_error_rule_blocks(baseline, tmp_path, rule):
    suite = next(s for s in load_suites() if s["name"] == rule[0])
    table = suite["meta"]["hotpass_table"]
    tables = {table: baseline[table].copy()}
    MUTATIONS[rule](tables)
    gate = run_gate(tables, workspace=tmp_path, suites=[suite])
    failed = {(r.suite, r.expectation, r.column) for r in gate.errors}
    assert (rule[0], rule[1], rule[2]) in failed
    assert not gate.passed


def test_the_good_run_passes_every_suite(baseline, tmp_path):
    gate = run_gate(dict(baseline), workspace=tmp_path)
    assert gate.passed, [(r.suite, r.expectation, r.column) for r in gate.errors]
    assert {r.suite for r in gate.results} == {s["name"] for s in load_suites()}
    # GX merges two expectations of one type on one column: none may be lost that way.
    assert len(gate.results) == sum(len(s["expectations"]) for s in load_suites())


def test_gx_reads_the_named_columns_unless_a_suite_checks_the_tables_shape(baseline, tmp_path):
    frame = baseline["organisations"]
    suite = next(s for s in load_suites() if s["meta"]["hotpass_table"] == "organisations")
    named = batch_columns(suite, list(frame))
    assert {"org_id", "record_kind", "parent_org_id"} <= set(named) < set(frame)
    shape = {
        **suite,
        "name": "organisations_shape",
        "expectations": [
            {
                "type": "expect_table_column_count_to_equal",
                "kwargs": {"value": len(frame.columns)},
                "severity": "critical",
            }
        ],
    }
    kept = tmp_path / "kept"
    gate = run_gate({"organisations": frame}, workspace=tmp_path, suites=[shape], keep_tables=kept)
    assert gate.passed, gate.to_dict()
    # The kept table is whole, whatever GX read of it: `hotpass validate --ref` may use
    # suites that name other columns.
    assert pq.read_table(kept / "organisations.parquet").column_names == list(frame)


def test_gx_reads_the_gates_batches_without_fingerprinting_them(baseline, tmp_path):
    """The gate turns GX's batch fingerprint off through a module constant, for the checkpoint
    only (ADR 0024); this fails if a GX release fingerprints batches some other way."""
    from hotpass.validate.gate import _context, without_batch_fingerprints

    frame = baseline["organisations"]
    frame.to_parquet(tmp_path / "organisations.parquet", index=False)
    context = _context(tmp_path / "gx")
    source = context.data_sources.add_pandas_filesystem("t", base_directory=str(tmp_path))
    asset = source.add_parquet_asset("organisations")
    definition = asset.add_batch_definition_path("b", path="organisations.parquet")
    with without_batch_fingerprints():
        batch = definition.get_batch()
    assert batch.columns() == list(frame)
    assert "pandas_data_fingerprint" not in batch.batch_markers
    # Outside the block GX fingerprints as it always did.
    assert "pandas_data_fingerprint" in definition.get_batch().batch_markers


def test_a_warn_rule_reports_without_blocking(baseline, tmp_path):
    tables = {"organisations": baseline["organisations"].copy()}
    tables["organisations"]["website_domain"] = None
    gate = run_gate(tables, workspace=tmp_path)
    assert gate.passed
    assert [(w.expectation, w.column) for w in gate.warnings] == [
        ("expect_column_values_to_not_be_null", "website_domain")
    ]
    assert gate.warnings[0].unexpected_count == len(tables["organisations"])


def test_a_mostly_quarantined_source_blocks_and_publishes_nothing(run, tmp_path):
    source = tmp_path / "broken.csv"
    write_broken_source(source)
    export = tmp_path / "export"
    export.mkdir()
    published = (run.export / "organisations.parquet").read_bytes()
    (export / "organisations.parquet").write_bytes(published)
    result = CliRunner().invoke(
        app,
        [
            "refine",
            str(source),
            "--workspace",
            str(tmp_path / "ws"),
            "--export",
            str(export),
            "--summary-json",
            str(tmp_path / "summary.json"),
        ],
    )
    assert result.exit_code == 3, result.output
    assert "error: sources: expect_column_values_to_be_between(quarantine_share)" in result.output
    assert "broken.csv" in result.output  # the sample id of a failing source is its file
    assert "alpha" not in result.output.lower()  # ids and counts only, never values
    assert (export / "organisations.parquet").read_bytes() == published
    assert sorted(p.name for p in export.iterdir()) == ["organisations.parquet"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "blocked"
    assert summary["gate"]["errors"] >= 1
    assert (tmp_path / "ws" / "runs" / summary["run_id"] / "report.html").exists()
    again = CliRunner().invoke(
        app, ["validate", "--ref", summary["run_id"], "--workspace", str(tmp_path / "ws")]
    )
    assert again.exit_code == 3, again.output
    assert "expect_column_values_to_be_between(quarantine_share)" in again.output
    as_json = CliRunner().invoke(
        app,
        ["validate", "--ref", summary["run_id"], "--workspace", str(tmp_path / "ws"), "--json"],
    )
    assert as_json.exit_code == 3
    verdict = json.loads(as_json.stdout)
    assert verdict["passed"] is False and verdict["checked"] == f"run {summary['run_id']}"
    assert any(r["column"] == "quarantine_share" and not r["success"] for r in verdict["results"])
    # store refs: the blocked branch's golden tables pass their own suites (the failing rule
    # is on the inputs); main never received golden tables
    branch = f"run-{summary['run_id']}"
    for ref, code in ((branch, 0), ("main", 2), ("no-such-ref", 2)):
        checked = CliRunner().invoke(
            app, ["validate", "--ref", ref, "--workspace", str(tmp_path / "ws")]
        )
        assert checked.exit_code == code, checked.output
        if code == 0:
            assert f"gate on store ref {branch}: 0 error rule(s) failed" in checked.output


def test_a_warn_only_run_publishes_and_reports_the_warning(tmp_path):
    source = tmp_path / "crm.csv"
    lines = ["Organisation Name;Website;Email;Phone;Province"]
    for i in range(10):
        website = f"org{i}.co.za" if i < 5 else ""  # half without a website: a warn rule
        lines.append(f"Org Number {i} Aviation;{website};info@org{i}.co.za;02155501{i:02d};Gauteng")
    source.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    export = tmp_path / "export"
    result = CliRunner().invoke(
        app, ["refine", str(source), "--workspace", str(tmp_path / "ws"), "--export", str(export)]
    )
    assert result.exit_code == 0, result.output
    assert "warn: golden_organisations: expect_column_values_to_not_be_null(website_domain)" in (
        result.output
    )
    assert "0 error rule(s) failed" in result.output
    assert (export / "organisations.parquet").exists()
    gate = json.loads((export / "gate.json").read_text())
    assert gate["passed"] and gate["warnings"] >= 1


class _Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self._in = [], False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "td"

    def handle_data(self, data):
        if self._in:
            self.cells.append(data)

    def handle_endtag(self, tag):
        self._in = False


def test_the_report_renders_offline_with_the_runs_numbers(run):
    page = (run.export / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page and "src=" not in page
    parser = _Cells()
    parser.feed(page)
    counts = dict(zip(parser.cells[0:20:2], parser.cells[1:20:2], strict=True))
    summary = run.summary
    staged = pq.read_table(run.export / "staged" / "organisations.parquet").num_rows
    golden = [o for o in run.table("organisations") if o["record_kind"] == "organisation"]
    assert int(counts["rows ingested"]) == summary.rows["ingested"]
    assert int(counts["rows quarantined"]) == summary.rows["quarantined"]
    assert int(counts["golden organisations"]) == len(golden)
    assert int(counts["duplicates merged"]) == staged - len(golden)
    assert int(counts["review pairs open"]) == summary.review_pairs
    markdown = (run.export / "report.md").read_text(encoding="utf-8")
    assert f"{staged - len(golden)} duplicates merged" in markdown
    assert (run.export / "data_docs" / "index.html").exists()


def test_the_audit_reads_only_the_columns_its_suites_and_report_use(run):
    from hotpass.duckdb_connection import quiet_duckdb
    from hotpass.validate import _fields, input_columns

    columns = input_columns()
    staged = pq.read_table(run.export / "staged" / "organisations.parquet")
    assert set(columns["staged_organisations"]) < set(staged.column_names)
    con = quiet_duckdb()
    try:
        narrow = _fields(con, staged.select(sorted(columns["staged_organisations"])))
        assert narrow == _fields(con, staged)
    finally:
        con.close()
    from hotpass.ingest import ingest
    from hotpass.profiles import builtin_profiles
    from tests.python.hotpass.golden_run import SAMPLES

    raw = ingest(SAMPLES, profile=None, profiles=builtin_profiles(), max_bytes=2**30).raw
    named = suite_columns(load_suites(), "raw_")
    organisations = pq.read_table(run.export / "organisations.parquet")
    contacts = pq.read_table(run.export / "contacts.parquet")
    kept = raw.select([c for c in raw.column_names if c in columns["raw"]])
    assert kept.num_columns < raw.num_columns
    every = gate_tables(organisations, contacts, raw=raw, raw_columns=named)
    needed = gate_tables(organisations, contacts, raw=kept, raw_columns=named)
    assert [n for n in every if n.startswith("raw_")] == [n for n in needed if n.startswith("raw_")]
    for name in (n for n in every if n.startswith("raw_")):
        assert needed[name].equals(every[name])


def test_qa_runs_gate_contracts_and_profile_linter(run, tmp_path):
    ok = CliRunner().invoke(app, ["qa", "--workspace", str(run.workspace)])
    assert ok.exit_code == 0, ok.output
    assert "contracts: up to date" in ok.output and "qa passed" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ncomparisons: []\n")
    failed = CliRunner().invoke(
        app, ["qa", "--workspace", str(run.workspace), "--profiles", str(bad)]
    )
    assert failed.exit_code == 1
    assert "qa failed: profiles" in failed.output
    assert str(bad) in failed.output


def test_failures_carry_ids_never_values(baseline, tmp_path):
    tables = {"contacts": baseline["contacts"].copy()}
    tables["contacts"]["email"] = tables["contacts"]["email"].astype(object)
    tables["contacts"].loc[0, "email"] = "Distinctive.Person@Invalid"
    gate = run_gate(tables, workspace=tmp_path)
    [failure] = gate.errors
    assert failure.sample_ids == [tables["contacts"].loc[0, "contact_id"]]
    assert "Distinctive" not in json.dumps(gate.to_dict())
    leaked = [
        p for p in (tmp_path / "gx").rglob("*") if p.is_file() and b"Distinctive" in p.read_bytes()
    ]
    assert leaked == []  # Data Docs and GX's stores hold counts and ids only
