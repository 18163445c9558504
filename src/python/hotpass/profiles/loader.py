"""Load profiles from YAML: the built-in families and any file a user adds."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from hotpass.errors import ProfileError
from hotpass.profiles.model import Profile


def _parse(text: str, origin: str) -> Profile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError([f"{origin}: not valid YAML ({exc})"]) from None
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{origin}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
            for e in exc.errors()
        ]
        raise ProfileError(problems) from None


@cache
def builtin_profiles() -> tuple[Profile, ...]:
    """The shipped families, most specific first and the generic fallback last."""
    folder = resources.files("hotpass.profiles") / "builtin"
    profiles = [
        _parse(entry.read_text(encoding="utf-8"), f"builtin profile {entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]
    return tuple(sorted(profiles, key=lambda p: (p.detect.fallback, p.name)))


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a profile YAML file by path.

    Raises:
        ProfileError: unknown name, unreadable file or invalid content (every problem listed).
    """
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProfileError([f"{path}: cannot be read ({exc.strerror})"]) from None
        return _parse(text, str(path))
    for profile in builtin_profiles():
        if profile.name == name_or_path:
            return profile
    known = ", ".join(p.name for p in builtin_profiles())
    raise ProfileError([f"unknown profile {name_or_path!r}; built-in profiles: {known}"])
