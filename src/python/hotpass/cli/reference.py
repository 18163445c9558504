"""Reference pages generated from the code: every command and option of the CLI (from the
Typer application: ``docs/reference/cli-options.md``) and the settings table (from the settings
model, between the markers of ``docs/reference/settings.md``). Tests keep both current.

Regenerate: ``./pants run src/python/hotpass/cli/reference.py`` (from the repository root).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    for name in sorted(getattr(command, "commands", {}) or {}):
        found += _walk(command.commands[name], [*path, name])
    return found


def _first_line(text: str | None) -> str:
    """The help's first paragraph, safe in a Markdown table cell."""
    line = (text or "").strip().split("\n\n")[0].replace("\n", " ")
    return line.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def cli_markdown() -> str:
    from hotpass.cli.app import app

    root = typer.main.get_command(app)
    lines = [
        "# CLI options",
        "",
        "Generated from the command-line application; do not edit. What each command does,",
        "its outputs and exit codes: [CLI reference](cli.md).",
    ]
    for path, command in _walk(root, ["hotpass"]):
        if len(path) == 1:
            continue
        options = [p for p in command.params if p.param_type_name == "option"]
        if getattr(command, "commands", None):  # a group: its own options, when it has any
            lines += ["", f"## `{' '.join(path)}`", "", _first_line(command.help)]
            if options:
                lines += ["", *_options_table(options)]
            continue
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        usage = " ".join([*path, *(p.name.upper() for p in arguments)])
        lines += ["", f"## `{usage}`", "", _first_line(command.help), ""]
        lines += _options_table(options)
    return "\n".join(lines) + "\n"


def _options_table(options: list[Any]) -> list[str]:
    lines = ["| option | default | help |", "|---|---|---|"]
    for param in options:
        names = ", ".join(f"`{name}`" for name in [*param.opts, *param.secondary_opts])
        default = "" if param.default in (None, False, ()) else f"`{param.default}`"
        lines.append(f"| {names} | {default} | {_first_line(param.help)} |")
    return lines


SETTINGS_BEGIN = "<!-- generated: settings table -->"
SETTINGS_END = "<!-- end of generated settings table -->"


def settings_table() -> str:
    """One row per setting: file key, environment variable, default, meaning."""
    from hotpass.settings import describe

    rows = [
        "| file key | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for info in describe():
        default = "unset" if info.default is None else f"`{info.default}`"
        meaning = info.description.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
        rows.append(f"| `{info.key}` | `{info.env}` | {default} | {meaning} |")
    return "\n".join(rows)


def with_settings_table(page: str) -> str:
    """``page`` with the text between the settings markers replaced by the current table."""
    head, _, rest = page.partition(SETTINGS_BEGIN)
    _, _, tail = rest.partition(SETTINGS_END)
    return f"{head}{SETTINGS_BEGIN}\n{settings_table()}\n{SETTINGS_END}{tail}"


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    options = root / "docs/reference/cli-options.md"
    options.write_text(cli_markdown(), encoding="utf-8")
    settings_page = root / "docs/reference/settings.md"
    settings_page.write_text(
        with_settings_table(settings_page.read_text(encoding="utf-8")), encoding="utf-8"
    )
    print(f"wrote {options} and the table of {settings_page}")
