"""Pick the profile an input belongs to from its sheet names and header rows."""

from __future__ import annotations

from collections.abc import Sequence

from hotpass.errors import InputError
from hotpass.ingest.header import find_header
from hotpass.ingest.readers import Source
from hotpass.profiles.model import Profile, header_key


def _present(source: Source) -> set[str]:
    return {header_key(name) for name in source.sheet_names}


def detect_profile(source: Source, profiles: Sequence[Profile]) -> Profile:
    """The most specific profile whose required sheets the input has; the fallback profile
    when its header is found; else an error naming the closest profile and what it lacks."""
    present = _present(source)
    best: tuple[float, Profile, list[str]] | None = None
    for profile in profiles:
        if profile.detect.fallback:
            continue
        missing = [s for s in profile.detect.required_sheets if header_key(s) not in present]
        if not missing:
            return profile
        score = 1 - len(missing) / len(profile.detect.required_sheets)
        if best is None or score > best[0]:
            best = (score, profile, missing)
    fallback_problem = ""
    for profile in profiles:
        if profile.detect.fallback and source.sheet_names:
            spec = profile.sheets[0]
            sheet = source.sheet_names[0]
            top = source.top_rows(sheet, spec.header.search_rows)
            if find_header(top, spec) is not None:
                return profile
            if not any(cell for row in top for cell in row):
                fallback_problem = f"; its first sheet {sheet!r} is empty"
            else:
                names = spec.columns["organisation_name"].synonyms[:3]
                fallback_problem = (
                    f"; sheet {sheet!r} has no header naming a column such as "
                    f"{', '.join(repr(n) for n in names)} in its first "
                    f"{spec.header.search_rows} rows"
                )
    if best is None:
        raise InputError(f"no profile fits this file{fallback_problem}", file=source.path.name)
    _, closest, missing = best
    raise InputError(
        f"no profile fits this file{fallback_problem}; the closest family is {closest.name!r}, "
        f"which needs sheet(s) {', '.join(repr(m) for m in missing)} (or pass --profile)",
        file=source.path.name,
    )
