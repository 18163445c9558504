"""The labelled entity-resolution benchmark behind ``hotpass bench resolve``.

The synthetic generator writes the true organisation of every organisation row it writes;
the refine pipeline runs on those files and its golden records are scored against the truth:
pairwise precision, recall and F1 over record pairs (counted from group sizes, never by
listing pairs), records lost, and a threshold sweep over the scored links that shows where the
match threshold and review band should sit.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class BenchResult:
    records: int
    true_organisations: int
    clusters: int
    precision: float
    recall: float
    f1: float
    records_lost: int
    seconds: dict[str, float]
    sweep: list[dict[str, float]] = field(default_factory=list)
    bands: list[dict[str, float]] = field(default_factory=list)


def _pairs(con: Any, grouping: str) -> int:
    return int(
        con.execute(
            f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM "
            f"(SELECT count(*) AS n FROM bench_assign GROUP BY {grouping})"
        ).fetchall()[0][0]
    )


def pairwise_scores(con: Any) -> tuple[float, float, float]:
    """Precision, recall, F1 of table bench_assign(record_id, cluster, truth)."""
    predicted = _pairs(con, "cluster")
    true = _pairs(con, "truth")
    both = _pairs(con, "cluster, truth")
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_resolution(
    con: Any, organisations: Path, truth: Path
) -> tuple[dict[str, float], int, int]:
    """Score golden organisations (their source_records) against the truth CSV."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE bench_truth AS
            SELECT record_id, true_org_id FROM read_csv('{truth}', header = true,
                columns = {{'record_id': 'VARCHAR', 'true_org_id': 'VARCHAR'}})"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE bench_golden AS
            SELECT org_id, unnest(source_records) AS record_id FROM '{organisations}'
            WHERE record_kind = 'organisation'"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE bench_assign AS
           SELECT t.record_id, g.org_id AS cluster, t.true_org_id AS truth
           FROM bench_truth t JOIN bench_golden g USING (record_id)"""
    )
    precision, recall, f1 = pairwise_scores(con)
    lost = con.execute(
        """SELECT count(*) FROM bench_truth t
           WHERE NOT EXISTS (SELECT 1 FROM bench_golden g WHERE g.record_id = t.record_id)"""
    ).fetchall()[0][0]
    true_orgs = con.execute("SELECT count(DISTINCT true_org_id) FROM bench_truth").fetchall()[0][0]
    return {"precision": precision, "recall": recall, "f1": f1}, int(lost), int(true_orgs)


def sweep(con: Any, links: Path, review: Path, grid: tuple[float, ...]) -> list[dict[str, float]]:
    """F1 if the threshold were each value of ``grid`` (certain links always kept; no guard).

    Scored pairs below the configured threshold are read from the review queue, which holds
    every such pair that joins two clusters, so thresholds down to the review floor are exact.
    """
    from hotpass.resolve import connected_components

    results = []
    for threshold in grid:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE bench_edges AS
                SELECT left_record_id AS unique_id_l, right_record_id AS unique_id_r
                FROM '{links}' WHERE rule <> 'splink' OR match_probability >= {threshold!r}
                UNION ALL
                SELECT left_record_id, right_record_id FROM '{review}'
                WHERE match_probability >= {threshold!r}"""
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE bench_nodes AS SELECT record_id AS unique_id "
            "FROM bench_truth"
        )
        connected_components(con, "bench_nodes", "bench_edges", "bench_clusters")
        con.execute(
            """CREATE OR REPLACE TEMP TABLE bench_assign AS
               SELECT t.record_id, c.cluster_id AS cluster, t.true_org_id AS truth
               FROM bench_truth t JOIN bench_clusters c ON c.unique_id = t.record_id"""
        )
        precision, recall, f1 = pairwise_scores(con)
        results.append({"threshold": threshold, "precision": precision, "recall": recall, "f1": f1})
    return results


def bands(con: Any, links: Path, review: Path) -> list[dict[str, float]]:
    """Share of true matches among scored pairs, per probability band."""
    rows = con.execute(
        f"""WITH scored AS (
                SELECT left_record_id, right_record_id, match_probability FROM '{links}'
                WHERE match_probability IS NOT NULL AND rule = 'splink'
                UNION ALL
                SELECT left_record_id, right_record_id, match_probability FROM '{review}'
                WHERE match_probability IS NOT NULL
            )
            SELECT CASE WHEN match_probability < 0.5 THEN 0.05 WHEN match_probability < 0.9
                        THEN 0.5 WHEN match_probability < 0.99 THEN 0.9 ELSE 0.99 END AS band,
                   count(*) AS pairs,
                   avg((a.true_org_id = b.true_org_id)::INT) AS true_share
            FROM scored s
            JOIN bench_truth a ON a.record_id = s.left_record_id
            JOIN bench_truth b ON b.record_id = s.right_record_id
            GROUP BY band ORDER BY band"""
    ).fetchall()
    return [{"from": r[0], "pairs": r[1], "true_share": r[2]} for r in rows]


def run_benchmark(*, scale: int, seed: int, workdir: Path | None = None) -> BenchResult:
    """Generate the labelled samples at ``scale``, refine them, and score the result."""
    from hotpass.duckdb_connection import quiet_duckdb
    from hotpass.pipeline import refine
    from hotpass.settings import load_settings
    from hotpass.synthetic import write_samples

    with tempfile.TemporaryDirectory(prefix="hotpass-bench-", dir=workdir) as scratch:
        root = Path(scratch)
        started = time.perf_counter()
        inputs = write_samples(root / "inputs", seed=seed, scale=scale, truth=root / "truth.csv")
        generated = time.perf_counter() - started
        settings = load_settings(environ={}, overrides={"workspace": root / "workspace"})
        export = root / "export"
        summary = refine(inputs, settings=settings, export_dir=export)
        con = quiet_duckdb()
        scores, lost, true_orgs = score_resolution(
            con, export / "organisations.parquet", root / "truth.csv"
        )
        grid = (0.05, 0.2, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
        swept = sweep(
            con,
            export / "links.parquet",
            export / "review_queue.parquet",
            grid,
        )
        banded = bands(con, export / "links.parquet", export / "review_queue.parquet")
        con.close()
    return BenchResult(
        records=int(summary.resolve["records"]),
        true_organisations=true_orgs,
        clusters=int(summary.resolve["clusters"]),
        precision=scores["precision"],
        recall=scores["recall"],
        f1=scores["f1"],
        records_lost=lost,
        seconds={"generate": round(generated, 2), **summary.stage_seconds},
        sweep=swept,
        bands=banded,
    )
