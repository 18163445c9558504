"""Organisation names -> a display name and a match key.

The display name only cleans whitespace (newlines, non-breaking spaces) and keeps casing. The
match key is what entity resolution compares: lower case, accents folded, bracketed qualifiers
(``(Lanseria)``, ``(Pty)``), ``t/a`` / ``trading as`` clauses and legal forms removed as whole
words, trailing approval designators (``AMO``, ``ATO``) and punctuation dropped. The bracketed
location qualifier is returned separately so branch sites are not lost.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 300  # longer is a pasted paragraph, not a name: the row is quarantined
_WHITESPACE = re.compile(r"\s+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_BRACKETS = re.compile(r"\([^()]*\)?|\[[^\[\]]*\]?")
_NON_WORD = re.compile(r"[\W_]+")  # Unicode-aware: Arabic, Hebrew or Greek letters stay
_T_SLASH_A = re.compile(r"\bt\s*/\s*a\b")
_LEGAL_FORMS = re.compile(
    r"\b(?:pty|ltd|limited|proprietary|cc|inc|incorporated|llc|plc|npc|soc|gmbh|bv)\b"
)
_TRADING_AS = re.compile(r"\btrading as\b.*$")
# Approval designators the CAA appends ("EXAMPLE AVIATION AMO"): a licence, not part of the name.
_DESIGNATORS = re.compile(r"(?:\s+(?:amo|ato))+$")
_QUALIFIER = re.compile(r"\(([^()]*)\)")
_NOT_A_PLACE = re.compile(r"\b(?:pty|ltd|trading|t/a|cc|inc|rf|npc|soc)\b", re.IGNORECASE)


def display_name(raw: str | None) -> str | None:
    """Whitespace-cleaned name with its casing kept; None when nothing is left.

    Example:
        >>> display_name("EXAMPLE AVIATION SERVICES\\nAMO (Pty) Ltd ")
        'EXAMPLE AVIATION SERVICES AMO (Pty) Ltd'
    """
    if raw is None:
        return None
    cleaned = _WHITESPACE.sub(" ", raw.replace("\xa0", " ")).strip()
    return cleaned or None


def match_key(raw: str | None) -> str | None:
    """Comparable key: ``Example Aviation (Pty) Ltd`` and ``EXAMPLE AVIATION CC`` agree.

    None for a name that is not one: nothing left after cleaning, no letter in any script, or
    longer than ``MAX_NAME_LENGTH`` characters.

    Example:
        >>> match_key("Example (pty) Ltd (trading As Other Name Helicopters)")
        'example'
    """
    if raw is None or len(raw) > MAX_NAME_LENGTH:
        return None
    text = _APOSTROPHES.sub("", _folded(raw))
    text = _BRACKETS.sub(" ", text)
    text = _T_SLASH_A.sub(" trading as ", text.replace("&", " and "))
    text = _WHITESPACE.sub(" ", _NON_WORD.sub(" ", text))
    text = _WHITESPACE.sub(" ", _LEGAL_FORMS.sub(" ", text)).strip()
    text = _TRADING_AS.sub("", text).strip()
    text = _DESIGNATORS.sub("", text) or text
    # A key needs a letter of some script: "12345" or "---" is not a name.
    return text if any(ch.isalpha() for ch in text) else None


def _folded(raw: str) -> str:
    """Lower case with accents folded. Compatibility forms first (a styled letter such as
    U+1D4D0 has no lower case of its own), then lower case, then decomposed again for what
    lowering composed (U+0130). ASCII text is its own NFKD form with no combining marks, so
    it only needs lowering: most names, and a per-character loop saved."""
    if raw.isascii():
        return raw.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", raw).lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def location_qualifier(raw: str | None) -> str | None:
    """The bracketed place in ``Example Academy (Lanseria)``, or None.

    Example:
        >>> location_qualifier("Example Academy (Lanseria)")
        'Lanseria'
    """
    if raw is None:
        return None
    for candidate in _QUALIFIER.findall(raw):
        place = _WHITESPACE.sub(" ", candidate).strip()
        if place and not _NOT_A_PLACE.search(place):
            return place
    return None
