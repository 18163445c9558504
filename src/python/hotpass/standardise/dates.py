"""Date cells -> calendar dates. Strings are read day first (``26/07/2025``), as South Africans
write, unless a profile says a sheet writes month first."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%d %B %Y",
    "%d %b %Y",
)
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y")
_EARLIEST = date(1950, 1, 1)
_LATEST = date(2100, 1, 1)


def parse_date(raw: str | None, *, month_first: bool = False) -> date | None:
    """A calendar date, or None when the cell holds no recognisable date.

    Example:
        >>> parse_date("26/07/2025")
        datetime.date(2025, 7, 26)
    """
    if raw is None:
        return None
    text = raw.replace("\xa0", " ").strip()
    if not text:
        return None
    if _SERIAL.match(text):
        parsed = _EXCEL_EPOCH + timedelta(days=int(float(text)))
        return parsed if _EARLIEST <= parsed < _LATEST else None
    formats: tuple[str, ...] = _FORMATS
    if month_first:
        formats = tuple(f for f in _FORMATS if not f.startswith("%d")) + _MONTH_FIRST
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt).date()  # - calendar dates only
        except ValueError:
            continue
        return parsed if _EARLIEST <= parsed < _LATEST else None
    return None
