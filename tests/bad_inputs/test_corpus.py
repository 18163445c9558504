"""Every case of the bad-input corpus (``corpus.py``) through the real ``hotpass`` CLI.

Each case runs in its own subprocess on a copy of a workspace whose main already holds the
samples, so "nothing already published is touched" is checked against a real publish. The
table in ``docs/reference/bad-inputs.md`` is made from what the runs did; set
``WRITE_BAD_INPUTS_PAGE=1`` to rewrite it after changing a case or a message.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hotpass.store import LocalStore
from tests.bad_inputs.corpus import CASES, ERROR, HEADER, QUARANTINE, ROWS, Case
from tests.python.hotpass.golden_run import SAMPLES, refine_into

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "reference" / "bad-inputs.md"
WRITE_PAGE = "WRITE_BAD_INPUTS_PAGE"
TIME_LIMIT_S = 180  # per case; a hang or a runaway read fails the case
MEMORY_LIMIT_MB = 1024  # peak RSS (VmHWM) of the case's process
# Values of the synthetic rows that must never be echoed to a terminal (POPIA).
PERSONAL = [v for row in ROWS for v in (row[0], row[1], row[2]) if v]


# The CLI, reporting its peak RSS as it exits. VmHWM belongs to the process's own memory
# image; ru_maxrss would also count the test process it was forked from.
_CLI = """
import atexit, os

def _peak():
    with open("/proc/self/status") as status, open(os.environ["CORPUS_PEAK_FILE"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])

atexit.register(_peak)
from hotpass.cli import main
main()
"""


@dataclass
class Outcome:
    case: Case
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    main_before: str
    main_after: str
    export_before: str
    export_after: str
    summary: dict | None
    organisations: list[dict] | None
    folder: Path

    @property
    def said(self) -> str:
        """The lines that explain the outcome, with the case's temporary folder removed."""
        lines = [
            line
            for line in (self.stderr + "\n" + self.stdout).splitlines()
            if line.startswith(("hotpass", "  - ")) or " failed " in line
        ]
        text = " ".join(" ".join(line.split()) for line in lines)
        return text.replace(str(self.folder) + os.sep, "")


def _export_digest(export: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(export.rglob("*")) if export.exists() else []:
        if path.is_file():
            digest.update(str(path.relative_to(export)).encode() + path.read_bytes())
    return digest.hexdigest()


def _run(case: Case, folder: Path, published: Path) -> Outcome:
    invocation = case.build(folder)
    workspace = folder / "ws"
    shutil.copytree(published, workspace, symlinks=True)
    store = LocalStore(workspace / "store")
    main_before, export_before = store.resolve("main"), _export_digest(workspace / "export")
    summary_path = folder / "summary.json"
    extra = ["--summary-json", str(summary_path)] if invocation.args[0] == "refine" else []
    command = [
        sys.executable,
        "-c",
        _CLI,
        *invocation.args,
        "--workspace",
        str(workspace),
        *extra,
    ]
    peak_path = folder / "peak_kb.txt"
    env = {
        **os.environ,
        # Absolute: the case runs in its own folder, and a test runner's path may be relative.
        "PYTHONPATH": os.pathsep.join(os.path.abspath(entry) for entry in sys.path),
        "CORPUS_PEAK_FILE": str(peak_path),
        **invocation.env,
    }
    env.pop("HOTPASS_DEBUG", None)
    out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=folder)
        timer = threading.Timer(TIME_LIMIT_S, os.kill, (process.pid, signal.SIGKILL))
        timer.start()
        start = os.times().elapsed
        process.wait()
        seconds = os.times().elapsed - start
        timer.cancel()
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    organisations_path = workspace / "export" / "organisations.parquet"
    published_now = summary is not None and summary.get("status") == "published"
    return Outcome(
        case=case,
        exit_code=process.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
        seconds=seconds,
        peak_rss_mb=int(peak_path.read_text()) / 1024 if peak_path.exists() else float("inf"),
        main_before=main_before,
        main_after=LocalStore(workspace / "store").resolve("main"),
        export_before=export_before,
        export_after=_export_digest(workspace / "export"),
        summary=summary,
        organisations=pq.read_table(organisations_path).to_pylist() if published_now else None,
        folder=folder,
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every case, two at a time (one per core), against copies of one published workspace."""
    published = tmp_path_factory.mktemp("published") / "ws"
    refine_into(published, SAMPLES)
    root = tmp_path_factory.mktemp("corpus")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {c.name: pool.submit(_run, c, root / c.name, published) for c in CASES}
        return {name: future.result() for name, future in futures.items()}


def test_the_corpus_covers_at_least_thirty_cases_with_unique_names() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.name]
    output = outcome.stdout + outcome.stderr
    assert outcome.exit_code == case.exit_code, output[-2000:]
    assert "Traceback" not in output
    assert not [value for value in PERSONAL if value in output], "a row value was echoed"
    assert outcome.seconds < TIME_LIMIT_S
    assert outcome.peak_rss_mb < MEMORY_LIMIT_MB
    if case.outcome == ERROR:
        assert case.says in outcome.said, output[-2000:]
        assert outcome.main_after == outcome.main_before, "main moved on a refused input"
        assert outcome.export_after == outcome.export_before, "the export was touched"
        return
    summary = outcome.summary
    assert summary is not None and summary["status"] == "published", output[-2000:]
    rows = summary["rows"]
    assert rows["ingested"] == rows["accepted"] + rows["quarantined"]
    assert outcome.main_after != outcome.main_before
    if case.outcome == QUARANTINE:
        assert summary["quarantine_by_rule"].get(case.says, 0) >= 1, summary["quarantine_by_rule"]
    else:
        assert rows["quarantined"] == 0, summary["quarantine_by_rule"]
    if case.holds is not None:
        assert outcome.organisations is not None
        assert case.holds(outcome.organisations), case.shows


def _row(outcome: Outcome) -> str:
    case = outcome.case
    if case.outcome == ERROR:
        result = outcome.said.replace("|", "\\|")
        main = "unchanged"
    else:
        rows = (outcome.summary or {}).get("rows", {})
        rules = (outcome.summary or {}).get("quarantine_by_rule", {})
        result = (
            f"{rows.get('ingested')} ingested = {rows.get('accepted')} accepted + "
            f"{rows.get('quarantined')} quarantined ({rows.get('blank_skipped')} blank)"
            + "".join(f"; `{rule}` x{n}" for rule, n in sorted(rules.items()))
            + (f"; publishes {case.shows}" if case.shows else "")
        )
        main = "new commit"
    cells = [f"`{case.name}`", case.what, case.outcome, str(outcome.exit_code), main, result]
    return "| " + " | ".join(cells) + " |"


def _page(outcomes: dict[str, Outcome]) -> str:
    counts = {
        kind: sum(o.case.outcome == kind for o in outcomes.values())
        for kind in (ERROR, QUARANTINE, "accepted")
    }
    lines = [
        "# Bad inputs: what Hotpass does with each",
        "",
        "<!-- Generated by tests/bad_inputs/test_corpus.py from real runs of the CLI; do not",
        f"     edit by hand. Rewrite it with {WRITE_PAGE}=1. -->",
        "",
        f"The corpus in `tests/bad_inputs/corpus.py` builds {len(outcomes)} broken or awkward "
        "inputs and the test runs each through `hotpass refine` (or `hotpass backfill` for the "
        "landing-area cases) in its own process, on a workspace whose main already holds a "
        f"publish. {counts[ERROR]} are refused with an error, {counts[QUARANTINE]} publish with "
        f"the bad rows quarantined and {counts['accepted']} publish with every row read "
        "correctly.",
        "",
        "For every case the test also holds: the exit code below; no traceback on the terminal; "
        "no name, phone or email of the input on the terminal; the process finished within "
        f"{TIME_LIMIT_S} s with a peak RSS under {MEMORY_LIMIT_MB} MB; a refused input left "
        "main and the export directory byte for byte as they were; a published run accounts "
        "for every row (`ingested = accepted + quarantined`). Exit codes: 0 published, 1 a run "
        "failed (a backfill day), 2 bad input, settings or usage (nothing changed), 3 blocked "
        "by the gate.",
        "",
        "| case | input | outcome | exit | main | what Hotpass says or publishes |",
        "|---|---|---|---|---|---|",
        *[_row(outcomes[case.name]) for case in CASES],
        "",
        f"The synthetic header used throughout is `{', '.join(HEADER)}`.",
        "",
    ]
    return "\n".join(lines)


def test_the_reference_page_is_the_corpus_outcomes(outcomes: dict[str, Outcome]) -> None:
    page = _page(outcomes)
    if os.environ.get(WRITE_PAGE):
        PAGE.write_text(page, encoding="utf-8")
    assert (
        PAGE.read_text(encoding="utf-8") == page
    ), f"docs/reference/bad-inputs.md is stale: rerun this test with {WRITE_PAGE}=1"
