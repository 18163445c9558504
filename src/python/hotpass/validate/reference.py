"""The quality gate's rules as a reference page, generated from data_expectations/*.json (the
suites the gate runs), so the page cannot drift from the rules."""

from __future__ import annotations

import json

from hotpass.validate.gate import load_suites

_SHOWN = ("min_value", "max_value", "regex", "value_set", "mostly", "row_condition")


def _arguments(kwargs: dict[str, object]) -> str:
    parts = []
    for key in _SHOWN:
        if key in kwargs:
            parts.append(f"{key} `{json.dumps(kwargs[key])}`")
    return "; ".join(parts).replace("|", "\\|")


def expectations_markdown() -> str:
    lines = [
        "# Expectations reference",
        "",
        "Generated from `data_expectations/*.json` by `hotpass contracts export`; do not edit.",
        "`critical` rules are errors (they block a publish), `warning` rules are reported.",
        "See [quality and the gate](quality.md).",
    ]
    for suite in load_suites():
        table = suite.get("meta", {}).get("hotpass_table", "")
        lines += [
            "",
            f"## `{suite['name']}`" + (f" (table `{table}`)" if table else ""),
            "",
            "| severity | expectation | column | arguments | why |",
            "|---|---|---|---|---|",
        ]
        for item in suite["expectations"]:
            kwargs = item.get("kwargs", {})
            column = f"`{kwargs['column']}`" if "column" in kwargs else ""
            why = str(item.get("meta", {}).get("why", "")).replace("|", "\\|")
            lines.append(
                f"| {item['severity']} | `{item['type']}` | {column} | {_arguments(kwargs)} "
                f"| {why} |"
            )
    return "\n".join(lines) + "\n"
