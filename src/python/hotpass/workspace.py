"""A new workspace laid out for a first run: a settings file listing every option (commented,
with its default and environment variable), editable copies of the source profiles, a dated
landing area and - unless asked not to - today's synthetic sample workbooks in it."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from hotpass.errors import HotpassError
from hotpass.settings import describe

SETTINGS_FILE = "hotpass.toml"


class WorkspaceExists(FileExistsError, HotpassError):
    """The directory already has a settings file; nothing was changed."""


@dataclass(frozen=True)
class NewWorkspace:
    root: Path
    settings_file: Path
    landing_day: Path
    profiles: list[Path]
    samples: list[Path]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(str(value))


def settings_text(root: Path) -> str:
    """The settings file: ``workspace`` and ``landing`` set to ``root``; every other option
    commented out with its default (uncommenting a line changes nothing until edited)."""
    chosen = {"workspace": root, "landing": root / "landing"}
    lines = [
        "# Hotpass settings (docs/reference/settings.md). Every option is listed with its",
        "# default; uncomment a line to change it. Environment variables (named on each line)",
        "# override this file; command-line options override both.",
    ]
    section = ""
    for info in describe():
        head, _, key = info.key.rpartition(".")
        if head != section:
            section = head
            lines += ["", f"[{section}]"]
        lines.append(f"# {info.description} ({info.env})")
        if info.key in chosen:
            lines.append(f"{key} = {_toml_value(chosen[info.key])}")
        elif info.default is None:
            lines.append(f'# {key} = "..."  (unset by default)')
        else:
            lines.append(f"# {key} = {_toml_value(info.default)}")
    return "\n".join(lines) + "\n"


def create_workspace(
    root: Path, /, *, day: date, samples: bool = True, force: bool = False
) -> NewWorkspace:
    """Lay out ``root`` (made absolute in the settings file).

    Raises:
        WorkspaceExists: ``root`` has a settings file and ``force`` is false.
    """
    from hotpass.synthetic import write_samples

    root = root.resolve()
    settings_file = root / SETTINGS_FILE
    if settings_file.exists() and not force:
        raise WorkspaceExists(
            f"{settings_file} exists; nothing was changed (use --force to rewrite it)"
        )
    root.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(settings_text(root), encoding="utf-8")
    profiles_dir = root / "profiles"
    profiles_dir.mkdir(exist_ok=True)
    profiles = []
    for source in sorted(
        (resources.files("hotpass.profiles") / "builtin").iterdir(), key=lambda p: p.name
    ):
        if source.name.endswith(".yaml"):
            target = profiles_dir / source.name
            with resources.as_file(source) as path:
                shutil.copyfile(path, target)
            profiles.append(target)
    landing_day = root / "landing" / f"dt={day.isoformat()}"
    landing_day.mkdir(parents=True, exist_ok=True)
    written = write_samples(landing_day) if samples else []
    return NewWorkspace(root, settings_file, landing_day, profiles, written)
