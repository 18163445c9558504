"""The Spark engine on a real local Spark (``local[2]``, the machine's Java): standardise gives
the same staged tables as DuckDB, Splink's Spark backend the same clusters, and the two
dialects of the custom name levels agree."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotpass.pipeline import refine
from hotpass.resolve.model import _NAME_SQL
from hotpass.settings import load_settings
from hotpass.spark import session
from tests.python.hotpass.golden_run import SAMPLES
from tests.python.hotpass.resolve.reuse_cases import (
    assert_same,
    cache_at,
    earlier_and_later,
    organisation_features_of,
    rescored_records,
    resolve_with,
)

pytestmark = pytest.mark.slow

# Values that depend on the run, not on the engine.
_RUN_COLUMNS = {"run_id", "published_at", "refined_at"}


@pytest.fixture(scope="module")
def spark_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    workspace = tmp_path_factory.mktemp("spark")
    yield workspace
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


@pytest.fixture(scope="module")
def spark(spark_workspace: Path) -> Any:
    return session(
        load_settings(environ={}, overrides={"workspace": spark_workspace, "engine": "spark"})
    )


@pytest.fixture(scope="module")
def exports(spark_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The samples refined once per engine."""
    found = {}
    for engine in ("duckdb", "spark"):
        workspace = spark_workspace if engine == "spark" else tmp_path_factory.mktemp(engine)
        settings = load_settings(environ={}, overrides={"workspace": workspace, "engine": engine})
        summary = refine(SAMPLES, settings=settings, export_dir=workspace / "export")
        found[engine] = (summary, workspace / "export")
    return found


def _rows(export: Path, name: str) -> list[dict[str, Any]]:
    table = pq.read_table(export / f"{name}.parquet")
    rows: list[dict[str, Any]] = table.drop_columns(
        [c for c in table.column_names if c in _RUN_COLUMNS]
    ).to_pylist()
    return rows


@pytest.mark.parametrize(
    "name", ["staged/organisations", "staged/contacts", "staged/addresses", "quarantine"]
)
def test_standardise_on_spark_stages_exactly_what_duckdb_stages(
    exports: dict[str, Any], name: str
) -> None:
    duck, spark = _rows(exports["duckdb"][1], name), _rows(exports["spark"][1], name)
    assert len(duck) > 0 or name == "quarantine"
    assert spark == duck


def test_a_spark_run_publishes_the_same_golden_records(exports: dict[str, Any]) -> None:
    (duck_summary, duck), (spark_summary, spark) = exports["duckdb"], exports["spark"]
    assert spark_summary.status == duck_summary.status == "published"
    assert spark_summary.rows == duck_summary.rows
    assert spark_summary.resolve["clusters"] == duck_summary.resolve["clusters"]
    for name in ("organisations", "contacts", "addresses"):
        assert _rows(spark, name) == _rows(duck, name), name


def test_splink_on_spark_links_the_same_pairs_with_nearly_the_same_probabilities(
    exports: dict[str, Any],
) -> None:
    """u is estimated from a random sample of pairs, which each backend draws differently, so
    probabilities may differ slightly; which pairs link, and why, may not."""

    def links(export: Path) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["left_record_id"], r["right_record_id"]): r for r in _rows(export, "links")}

    duck, spark = links(exports["duckdb"][1]), links(exports["spark"][1])
    assert len(duck) > 10
    assert spark.keys() == duck.keys()
    for pair, row in duck.items():
        other = spark[pair]
        assert (other["status"], other["rule"], other["evidence"]) == (
            row["status"],
            row["rule"],
            row["evidence"],
        )
        assert other["match_probability"] == pytest.approx(row["match_probability"], abs=0.01)


def test_splink_on_spark_scores_only_the_pairs_of_changed_records(
    exports: dict[str, Any], spark: Any, tmp_path: Path
) -> None:
    """As on DuckDB (``resolve/test_reuse.py``): with the model kept, the kept pairs' scores
    and the new pairs' give the resolution of scoring every pair."""
    earlier, later, _ = earlier_and_later(organisation_features_of(exports["duckdb"][1]))
    resolve_with(earlier, cache_at(tmp_path / "a"), spark)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    kept, messages = resolve_with(later, cache_at(tmp_path / "a"), spark)
    everything, _ = resolve_with(later, cache_at(tmp_path / "b", reuse_scores=False), spark)
    assert 0 < rescored_records(messages) < later.num_rows / 4
    assert any("Splink on Spark" in m for m in messages)
    assert_same(kept, everything)


_WORD = st.sampled_from(["aero", "air", "club", "2", "12", "flight", "school", "7", "cape"])
_NAME = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=st.lists(st.tuples(_NAME, _NAME), min_size=1, max_size=40))
def test_the_name_levels_mean_the_same_in_spark_and_duckdb(
    spark: Any, pairs: list[tuple[str, str]]
) -> None:
    """Each custom level is evaluated over the same pairs by both engines, in one query each."""
    for level, (duck_sql, spark_sql) in enumerate(
        zip(_NAME_SQL["duckdb"], _NAME_SQL["spark"], strict=True)
    ):
        with duckdb.connect() as con:
            con.execute("CREATE TABLE p (i INTEGER, name_l VARCHAR, name_r VARCHAR)")
            con.executemany(
                "INSERT INTO p VALUES (?, ?, ?)", [(i, *p) for i, p in enumerate(pairs)]
            )
            condition = duck_sql.format(l="name_l", r="name_r")
            in_duckdb = con.execute(f"SELECT i, ({condition}) FROM p ORDER BY i").fetchall()
        frame = spark.createDataFrame(
            [(i, *p) for i, p in enumerate(pairs)], "i int, name_l string, name_r string"
        )
        frame.createOrReplaceTempView("p")
        condition = spark_sql.format(l="name_l", r="name_r")
        in_spark = [
            (row[0], row[1])
            for row in spark.sql(f"SELECT i, ({condition}) FROM p ORDER BY i").collect()
        ]
        assert in_spark == in_duckdb, f"level {level}"
