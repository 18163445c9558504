"""Every example in a module docstring runs and prints what it says (stale examples fail
here). New modules with examples join the list."""

import doctest
from types import ModuleType

import pytest

from hotpass import settings
from hotpass.ingest import readers
from hotpass.standardise import (
    addresses,
    contacts,
    dates,
    emails,
    names,
    phones,
    provinces,
    status,
    websites,
)

MODULES = [
    settings,
    readers,
    addresses,
    contacts,
    dates,
    emails,
    names,
    phones,
    provinces,
    status,
    websites,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{module.__name__} has no examples left: drop it from the list"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
