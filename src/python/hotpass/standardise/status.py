"""CRM status cells -> a do-not-contact flag."""

from __future__ import annotations

import re

_DO_NOT_CONTACT = re.compile(
    r"\b(?:dnc|ntc|do not contact|not to contact|opt(?:ed)?[ -]?out)\b", re.IGNORECASE
)


def is_do_not_contact(raw: str | None) -> bool:
    """True for ``DNC``, ``NTC``, ``Do not contact`` and opt-outs.

    Example:
        >>> is_do_not_contact("DNC - asked 2025")
        True
    """
    return bool(raw) and bool(_DO_NOT_CONTACT.search(raw or ""))
