"""Website cells -> the page URL and, apart from it, the organisation's registrable domain.

Social-media pages and directory listings (an airport's list of tenants) are recognised: they
keep their URL but never count as the organisation's own domain. Domains come from
`tldextract` with its bundled public-suffix snapshot (no network).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, TypedDict
from urllib.parse import urlsplit

import tldextract

WebsiteKind = Literal["own", "social", "directory"]

SOCIAL_DOMAINS = frozenset(
    {
        "facebook.com",
        "fb.com",
        "instagram.com",
        "linkedin.com",
        "twitter.com",
        "x.com",
        "youtube.com",
        "tiktok.com",
        "wa.me",
        "whatsapp.com",
    }
)
# Listing sites whose pages describe many organisations; extend as new ones are found.
DIRECTORY_DOMAINS = frozenset(
    {
        "google.com",
        "goo.gl",
        "yellowpages.co.za",
        "brabys.com",
        "cylex.co.za",
        "sa-airports.co.za",
        "airports.co.za",
        "flightschoolsdirectory.co.za",
        "aviationdirectory.co.za",
        "wikipedia.org",
    }
)

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class WebsiteValue(TypedDict):
    raw: str
    url: str | None
    domain: str | None
    kind: WebsiteKind | None
    reason: str | None


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def parse_website(raw: str | None) -> WebsiteValue | None:
    """Parse one website cell.

    Example:
        >>> parse_website("WWW.Example-Air.co.za/contact")["domain"]
        'example-air.co.za'
    """
    if raw is None:
        return None
    text = _SPACE.sub("", raw.replace("\xa0", " ")).strip("/")
    if not text:
        return None
    if "@" in text and "/" not in text:
        return WebsiteValue(
            raw=raw, url=None, domain=None, kind=None, reason="an email, not a website"
        )
    url = text if _SCHEME.match(text) else f"https://{text}"
    parts = _extractor()(url)
    if not parts.domain or not parts.suffix:
        return WebsiteValue(
            raw=raw, url=None, domain=None, kind=None, reason="no registrable domain"
        )
    domain = f"{parts.domain}.{parts.suffix}".lower()
    split = urlsplit(url)
    host = (split.hostname or "").removeprefix("www.")
    canonical = f"https://{host}{split.path}".rstrip("/")
    kind: WebsiteKind = "own"
    if domain in SOCIAL_DOMAINS:
        kind = "social"
    elif domain in DIRECTORY_DOMAINS:
        kind = "directory"
    return WebsiteValue(raw=raw, url=canonical, domain=domain, kind=kind, reason=None)
