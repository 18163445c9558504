"""A per-run memo for the costly value normalisers (phonenumbers, email-validator).

A third of the phone and email texts of a run repeat (one organisation in several sheets and
sources), so each distinct text is parsed once. The memo is bounded and cleared when a
standardise finishes, so a long-lived worker does not keep a run's values in memory.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

CACHE_SIZE = 1 << 18  # distinct texts kept per normaliser (~100 MB at most)
F = TypeVar("F", bound=Callable[..., Any])
_memos: list[Any] = []


def memoised(function: F) -> F:
    """``function`` with a bounded memo that :func:`clear` empties."""
    cached = functools.lru_cache(maxsize=CACHE_SIZE)(function)
    _memos.append(cached)
    return cached  # type: ignore[return-value]


def clear() -> None:
    for memo in _memos:
        memo.cache_clear()


def sizes() -> list[int]:
    """How many texts each memo holds now."""
    return [memo.cache_info().currsize for memo in _memos]
