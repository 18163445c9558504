"""The docs name only commands and options the CLI has: every ``hotpass ...`` in a code span or
code block of README.md and docs/ is checked against the Typer application."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from hotpass.cli.app import app

REPO = Path(__file__).resolve().parents[4]
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
COMMAND = re.compile(r"(?<![\w/.-])(?:\./)?hotpass((?: +[^\s`]+)+)")


def _tree() -> Any:
    """Typer's click command tree (Typer may bundle its own click: typed loosely)."""
    command = typer.main.get_command(app)
    assert hasattr(command, "commands")
    return command


def _options(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        names.update(param.opts)
        names.update(param.secondary_opts)
    return names


def problems(text: str, where: str) -> list[str]:
    """Unknown commands and options in ``hotpass`` invocations of ``text``. ``a|b`` names
    alternatives: each must exist, and an option after them must belong to one of them."""
    root = _tree()
    found = []
    for block in CODE.findall(text):
        for line in block.splitlines():
            for match in COMMAND.finditer(line):
                current = [root]
                path = ["hotpass"]
                for raw in match.group(1).split():
                    token = raw.strip("[](),;:.'\"")
                    if not token or token.startswith(("<", "$", "-h")) or token == "...":
                        continue
                    if token.startswith("-"):
                        for option in token.split("|"):
                            name = option.split("=")[0].strip("[]")
                            known = set().union(*(_options(c) for c in current))
                            if name.startswith("-") and name not in known:
                                found.append(f"{where}: {' '.join(path)} has no option {name}")
                        continue
                    groups = [c for c in current if hasattr(c, "commands")]
                    choices = token.split("|")
                    if not groups or not all(re.fullmatch(r"[a-z][a-z-]*", c) for c in choices):
                        break  # an argument (INPUT, DIR, a path): the rest is arguments
                    missing = [c for c in choices if c not in groups[0].commands]
                    found += [f"{where}: {' '.join(path)} has no command {c}" for c in missing]
                    current = [groups[0].commands[c] for c in choices if c not in missing]
                    path.append(token)
                    if not current:
                        break
    return found


def test_the_checker_catches_an_unknown_command_and_option() -> None:
    text = "Run `hotpass refine --no-such-flag x` or `hotpass frobnicate` or `hotpass model fly`."
    assert problems(text, "t") == [
        "t: hotpass refine has no option --no-such-flag",
        "t: hotpass has no command frobnicate",
        "t: hotpass model has no command fly",
    ]
    assert problems("`hotpass model train|promote --workspace DIR`", "t") == []


def test_every_documented_command_and_option_exists() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    assert len(pages) > 10
    found = []
    for page in pages:
        found += problems(page.read_text(encoding="utf-8"), str(page.relative_to(REPO)))
    assert found == []


def test_the_generated_options_page_is_current() -> None:
    from hotpass.cli.reference import cli_markdown

    page = REPO / "docs" / "reference" / "cli-options.md"
    text = cli_markdown()
    assert (
        page.read_text(encoding="utf-8") == text
    ), "run ./pants run src/python/hotpass/cli/reference.py -- docs/reference/cli-options.md"
    assert "## `hotpass model promote`" in text and "`--quiet`, `-q`" in text
