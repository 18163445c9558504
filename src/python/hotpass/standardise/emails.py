"""Email cells -> syntactically valid addresses with `email-validator` (never a DNS lookup).

Cells may hold several addresses (``;``, ``,``, whitespace), a trailing dot
(``info@example.co.za.``) or something that is not an email at all (a social-media URL).
"""

from __future__ import annotations

import re
from typing import TypedDict

from email_validator import EmailNotValidError, validate_email

from hotpass.standardise.memo import memoised

_SPLIT = re.compile(r"[;,\s]+")
_URL = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)

# Mailbox providers: a shared address here is no evidence that two rows are one organisation.
GENERIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.za",
        "hotmail.com",
        "hotmail.co.za",
        "outlook.com",
        "live.com",
        "live.co.za",
        "icloud.com",
        "me.com",
        "mweb.co.za",
        "telkomsa.net",
        "vodamail.co.za",
        "webmail.co.za",
        "iafrica.com",
        "absamail.co.za",
        "lantic.net",
    }
)


class EmailValue(TypedDict):
    raw: str
    email: str | None
    domain: str | None
    generic_domain: bool | None
    reason: str | None


def _parse_one(piece: str) -> EmailValue:
    """One value, parsed once per distinct text in a run (:mod:`hotpass.standardise.memo`);
    each caller gets its own copy."""
    return _parse_text(piece).copy()


@memoised
def _parse_text(piece: str) -> EmailValue:
    if _URL.match(piece) or "/" in piece:
        return EmailValue(
            raw=piece, email=None, domain=None, generic_domain=None, reason="a URL, not an email"
        )
    candidate = _MAILTO.sub("", piece).strip().strip(".").strip("<>")
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return EmailValue(
            raw=piece, email=None, domain=None, generic_domain=None, reason="invalid email syntax"
        )
    domain = result.domain.lower()
    email = f"{result.local_part}@{domain}"
    return EmailValue(
        raw=piece,
        email=email,
        domain=domain,
        generic_domain=domain in GENERIC_MAIL_DOMAINS,
        reason=None,
    )


def parse_email_cell(raw: str | None) -> list[EmailValue]:
    """Split a cell into addresses; each keeps its raw text and a normalised address or a reason.

    Example:
        >>> [e["email"] for e in parse_email_cell("Info@Example.CO.ZA.; sales@example.co.za")]
        ['info@example.co.za', 'sales@example.co.za']
    """
    if raw is None:
        return []
    text = raw.replace("\xa0", " ").strip()
    return [_parse_one(piece) for piece in _SPLIT.split(text) if piece.strip(" .")]


def normalise_email(raw: str | None) -> str | None:
    """The first valid address in a cell, or None."""
    for value in parse_email_cell(raw):
        if value["email"]:
            return value["email"]
    return None
