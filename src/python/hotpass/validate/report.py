"""The run's quality report: one self-contained HTML file (inline CSS and SVG, no scripts, no
network) and a Markdown summary for pull-request comments. Counts and ids only: no names,
emails or phone numbers."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from hotpass.validate.gate import GateResult


@dataclass
class ReportData:
    run_id: str
    status: str
    rows: dict[str, int]
    quarantine_by_rule: dict[str, int]
    organisation_rows: int
    organisations: int
    sites: int
    contacts: int
    review_pairs: int
    fields: list[dict[str, Any]]  # name, fill, valid (shares 0-1)
    score_histogram: list[int]  # ten bins over 0-1
    mean_score: float
    gate: GateResult
    changes: dict[str, int] | None = None  # added, removed, changed, unchanged
    sources: list[dict[str, Any]] = field(default_factory=list)
    lineage_svg: str | None = None  # the run's lineage graph so far (inputs -> jobs -> store)

    @property
    def duplicates_merged(self) -> int:
        return self.organisation_rows - self.organisations


def _bars(items: list[tuple[str, float]], *, percent: bool) -> str:
    """Horizontal bars as inline SVG."""
    width, row = 520, 22
    top = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(items) + 4}"'
        ' role="img">'
    ]
    for index, (label, value) in enumerate(items):
        y = index * row + 2
        length = (value if percent else value / top) * 300
        shown = f"{value:.0%}" if percent else f"{value:g}"
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{html.escape(label)}</text>'
            f'<rect x="170" y="{y + 3}" width="{length:.1f}" height="14" fill="#3b7dd8"/>'
            f'<text x="{175 + length:.1f}" y="{y + 15}" font-size="12">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(data: ReportData) -> str:
    gate = data.gate
    verdict = "passed" if gate.passed else "BLOCKED"
    counts = [
        ["rows ingested", data.rows.get("ingested", 0)],
        ["blank rows skipped", data.rows.get("blank_skipped", 0)],
        ["rows accepted", data.rows.get("accepted", 0)],
        ["rows quarantined", data.rows.get("quarantined", 0)],
        ["organisation rows", data.organisation_rows],
        ["golden organisations", data.organisations],
        ["sites", data.sites],
        ["duplicates merged", data.duplicates_merged],
        ["golden contacts", data.contacts],
        ["review pairs open", data.review_pairs],
    ]
    gate_rows = [
        [
            r.severity,
            "pass" if r.success else "FAIL",
            r.suite,
            r.expectation,
            r.column or "",
            "" if r.unexpected_count is None else r.unexpected_count,
            " ".join(r.sample_ids),
            r.why,
        ]
        for r in gate.results
    ]
    bins = [
        (f"{i / 10:.1f}-{(i + 1) / 10:.1f}", float(n)) for i, n in enumerate(data.score_histogram)
    ]
    changes = (
        _table(["change", "organisations"], [[k, v] for k, v in data.changes.items()])
        if data.changes is not None
        else "<p>No earlier published version to compare with.</p>"
    )
    docs = (
        '<p><a href="data_docs/index.html">Great Expectations Data Docs</a></p>'
        if gate.data_docs
        else ""
    )
    reasons = _table(["rule", "rows"], [[k, v] for k, v in data.quarantine_by_rule.items()])
    fields = _table(
        ["field", "filled", "valid"],
        [[f["name"], f"{f['fill']:.1%}", f"{f['valid']:.1%}"] for f in data.fields],
    )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
        "padding:.2em .5em;text-align:left;font-size:13px}.passed{color:#1a7f37}"
        ".BLOCKED{color:#cf222e}"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hotpass run {html.escape(data.run_id)}</title>
<style>{style}</style></head><body>
<h1>Run {html.escape(data.run_id)}: <span class="{verdict}">{verdict}</span></h1>
<p>Status <b>{html.escape(data.status)}</b>; {len(gate.errors)} error rule(s) failed,
{len(gate.warnings)} warning(s).</p>{docs}
<h2>Counts</h2>{_table(["what", "count"], counts)}
<h2>Sources</h2>{_table(["file", "profile", "rows", "quarantined", "share"],
    [[s["source_file"], s["profile"], s["rows_ingested"], s["quarantined"],
      f"{s['quarantine_share']:.1%}"] for s in data.sources])}
<h2>Quarantine reasons</h2>{reasons}
<h2>Field fill and validity (organisation rows)</h2>{fields}
<h3>filled</h3>{_bars([(f["name"], f["fill"]) for f in data.fields], percent=True)}
<h3>valid</h3>{_bars([(f["name"], f["valid"]) for f in data.fields], percent=True)}
<h2>Quality score distribution</h2><p>mean {data.mean_score:.3f}</p>{_bars(bins, percent=False)}
<h2>Gate</h2>{_table(["severity", "result", "suite", "expectation", "column", "unexpected",
    "sample ids", "why"], gate_rows)}
<h2>Changes since the last published version</h2>{changes}
<h2>Lineage</h2>{data.lineage_svg or "<p>no lineage events recorded</p>"}
</body></html>
"""


def render_markdown(data: ReportData) -> str:
    gate = data.gate
    lines = [
        f"### Hotpass run `{data.run_id}`: {'passed' if gate.passed else '**BLOCKED**'}",
        "",
        f"- rows: {data.rows.get('ingested', 0)} ingested = {data.rows.get('accepted', 0)} "
        f"accepted + {data.rows.get('quarantined', 0)} quarantined",
        f"- organisations: {data.organisation_rows} rows -> {data.organisations} golden "
        f"(+{data.sites} sites), {data.duplicates_merged} duplicates merged",
        f"- contacts: {data.contacts}; review pairs open: {data.review_pairs}",
        f"- mean quality score: {data.mean_score:.3f}",
    ]
    if data.changes is not None:
        lines.append(
            "- since last published: " + ", ".join(f"{k} {v}" for k, v in data.changes.items())
        )
    failed = [r for r in gate.results if not r.success]
    if failed:
        lines += ["", "| severity | suite | expectation | column | unexpected | sample ids |"]
        lines.append("|---|---|---|---|---|---|")
        for r in failed:
            lines.append(
                f"| {r.severity} | {r.suite} | {r.expectation} | {r.column or ''} | "
                f"{'' if r.unexpected_count is None else r.unexpected_count} | "
                f"{' '.join(r.sample_ids)} |"
            )
    return "\n".join(lines) + "\n"
