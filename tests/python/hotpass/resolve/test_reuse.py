"""Keeping the latest run's model, and the scores of pairs whose records are unchanged, gives
the resolution that scoring every pair with that model gives."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hotpass.resolve.reuse import ResolutionCache
from tests.python.hotpass.golden_run import refine_into
from tests.python.hotpass.resolve.reuse_cases import (
    assert_same,
    cache_at,
    earlier_and_later,
    organisation_features_of,
    rescored_records,
    resolve_with,
)


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The samples' organisation features, as the refine pipeline builds them."""
    return organisation_features_of(refine_into(tmp_path_factory.mktemp("reuse") / "ws").export)


def test_reused_scores_give_the_resolution_of_scoring_every_pair(
    features: Any, tmp_path: Path
) -> None:
    earlier, later, sharing = earlier_and_later(features)
    _, messages = resolve_with(earlier, cache_at(tmp_path / "a"))
    assert any("training and scoring" in m for m in messages)
    shutil.copytree(tmp_path / "a", tmp_path / "b")

    kept, messages = resolve_with(later, cache_at(tmp_path / "a"))
    everything, everything_messages = resolve_with(
        later, cache_at(tmp_path / "b", reuse_scores=False)
    )

    assert any("model kept" in m for m in messages)
    assert any("model kept" in m for m in everything_messages)
    # The two new records, the changed one and at least the records whose name's frequency
    # changed: far fewer than all of them.
    rescored = rescored_records(messages)
    assert 3 + sharing <= rescored < later.num_rows / 4
    assert_same(kept, everything)


def test_nothing_changed_scores_nothing_again(features: Any, tmp_path: Path) -> None:
    first, _ = resolve_with(features, cache_at(tmp_path))
    again, messages = resolve_with(features, cache_at(tmp_path))
    assert rescored_records(messages) == 0
    assert_same(first, again)


def test_the_model_is_trained_again_once_enough_records_changed(
    features: Any, tmp_path: Path
) -> None:
    earlier, later, _ = earlier_and_later(features)
    resolve_with(earlier, cache_at(tmp_path))
    _, messages = resolve_with(later, cache_at(tmp_path, retrain_after=0))
    assert any("training and scoring" in m for m in messages)
    assert not any("model kept" in m for m in messages)


def test_an_entry_of_other_code_is_not_used(features: Any, tmp_path: Path) -> None:
    resolve_with(features, cache_at(tmp_path))
    assert cache_at(tmp_path).load() is not None
    other = ResolutionCache(tmp_path, "other code", reuse_scores=True, retrain_after=0.25)
    assert other.load() is None
    _, messages = resolve_with(features, other)
    assert any("training and scoring" in m for m in messages)
