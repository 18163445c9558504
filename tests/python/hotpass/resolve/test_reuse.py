"""Keeping the latest run's model, and the scores of pairs whose records are unchanged, gives
the resolution that scoring every pair with that model gives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from hotpass.duckdb_connection import quiet_duckdb
from hotpass.resolve import Resolution, load_config, resolve
from hotpass.resolve.features import organisation_features
from hotpass.resolve.reuse import ResolutionCache, resolution_fingerprint
from tests.python.hotpass.golden_run import refine_into

CONFIG = load_config("organisations")


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The samples' organisation features (Arrow), as the refine pipeline builds them."""
    run = refine_into(tmp_path_factory.mktemp("reuse") / "ws")
    con = quiet_duckdb()
    con.register("orgs", pq.read_table(run.export / "staged" / "organisations.parquet"))
    con.register("addrs", pq.read_table(run.export / "staged" / "addresses.parquet"))
    return con.table(organisation_features(con, "orgs", "addrs")).to_arrow_table()


def _cache(root: Path, *, reuse_scores: bool = True, retrain_after: float = 0.25) -> Any:
    return ResolutionCache(
        root,
        resolution_fingerprint(CONFIG),
        reuse_scores=reuse_scores,
        retrain_after=retrain_after,
    )


def _resolve(records: Any, cache: Any) -> tuple[Resolution, list[str]]:
    con = quiet_duckdb()
    con.register("records_arrow", records)
    con.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
    messages: list[str] = []
    return resolve(con, "records", config=CONFIG, progress=messages.append, cache=cache), messages


def _rescored(messages: list[str]) -> int:
    found = [re.search(r"scoring the pairs of (\d+) new", m) for m in messages]
    numbers = [int(m.group(1)) for m in found if m]
    assert len(numbers) == 1, messages
    return numbers[0]


def _earlier_and_later(features: Any) -> tuple[Any, Any, int]:
    """Records of an earlier run and of a later one: one record removed, one with another
    phone, two new records, and a new website for a name several earlier records share (its
    frequency changes, so their pairs' scores do). Returns also how many records share it."""
    rows = features.to_pylist()
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["match_key"] and row["website_domain"]:
            by_name.setdefault(row["match_key"], []).append(row)
    shared = next(group for _, group in sorted(by_name.items()) if len(group) >= 2)
    keep = {r["unique_id"] for r in shared}
    others = [r for r in rows if r["unique_id"] not in keep]
    removed, changed = others[0], others[1]
    earlier = rows
    later = [
        {**r, "phone": "+27215559999"} if r is changed else r for r in rows if r is not removed
    ]
    later.append({**shared[0], "unique_id": "zz-new-1", "website_domain": "brand-new-site.co.za"})
    later.append({**others[2], "unique_id": "zz-new-2", "display_name": "Another Name"})
    return (
        features.from_pylist(earlier, features.schema),
        features.from_pylist(later, features.schema),
        sum(1 for r in rows if r["match_key"] == shared[0]["match_key"]),
    )


def _same(left: Resolution, right: Resolution) -> None:
    assert left.links.num_rows > 0 and left.review.num_rows > 0
    assert left.links.equals(right.links)
    assert left.review.equals(right.review)
    assert left.clusters.equals(right.clusters)


def test_reused_scores_give_the_resolution_of_scoring_every_pair(
    features: Any, tmp_path: Path
) -> None:
    earlier, later, sharing = _earlier_and_later(features)
    _, messages = _resolve(earlier, _cache(tmp_path / "a"))
    assert any("training and scoring" in m for m in messages)
    shutil.copytree(tmp_path / "a", tmp_path / "b")

    kept, messages = _resolve(later, _cache(tmp_path / "a"))
    everything, everything_messages = _resolve(later, _cache(tmp_path / "b", reuse_scores=False))

    assert any("model kept" in m for m in messages)
    assert any("model kept" in m for m in everything_messages)
    # The two new records, the changed one and at least the records whose name's frequency
    # changed: far fewer than all of them.
    rescored = _rescored(messages)
    assert 3 + sharing <= rescored < later.num_rows / 4
    _same(kept, everything)


def test_nothing_changed_scores_nothing_again(features: Any, tmp_path: Path) -> None:
    first, _ = _resolve(features, _cache(tmp_path))
    again, messages = _resolve(features, _cache(tmp_path))
    assert _rescored(messages) == 0
    _same(first, again)


def test_the_model_is_trained_again_once_enough_records_changed(
    features: Any, tmp_path: Path
) -> None:
    earlier, later, _ = _earlier_and_later(features)
    _resolve(earlier, _cache(tmp_path))
    _, messages = _resolve(later, _cache(tmp_path, retrain_after=0))
    assert any("training and scoring" in m for m in messages)
    assert not any("model kept" in m for m in messages)


def test_an_entry_of_other_code_is_not_used(features: Any, tmp_path: Path) -> None:
    _resolve(features, _cache(tmp_path))
    assert _cache(tmp_path).load() is not None
    other = ResolutionCache(tmp_path, "other code", reuse_scores=True, retrain_after=0.25)
    assert other.load() is None
    _, messages = _resolve(features, other)
    assert any("training and scoring" in m for m in messages)
