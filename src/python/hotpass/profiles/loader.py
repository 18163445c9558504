"""Load profiles from YAML: the built-in families and any file a user adds."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from hotpass.errors import ProfileError
from hotpass.profiles.model import Profile
from hotpass.yaml_models import looks_like_file, parse_yaml_model, read_yaml_model


@cache
def builtin_profiles() -> tuple[Profile, ...]:
    """The shipped families, most specific first and the generic fallback last."""
    folder = resources.files("hotpass.profiles") / "builtin"
    profiles = [
        parse_yaml_model(
            entry.read_text(encoding="utf-8"), f"builtin profile {entry.name}", Profile
        )
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]
    return tuple(sorted(profiles, key=lambda p: (p.detect.fallback, p.name)))


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a profile YAML file by path.

    Raises:
        ProfileError: unknown name, unreadable file or invalid content (every problem listed).
    """
    if looks_like_file(name_or_path):
        return read_yaml_model(Path(name_or_path), Profile)
    for profile in builtin_profiles():
        if profile.name == name_or_path:
            return profile
    known = ", ".join(p.name for p in builtin_profiles())
    raise ProfileError([f"unknown profile {name_or_path!r}; built-in profiles: {known}"])
