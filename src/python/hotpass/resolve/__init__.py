"""Stage ``resolve``: which records describe the same real-world entity.

Order of work (all in DuckDB; Splink scores the uncertain middle):

1. deterministic rules link records that agree on a certain identifier;
2. Splink scores blocked candidate pairs (see :mod:`hotpass.resolve.model`);
3. review decisions are applied: accepted pairs link, rejected pairs never link;
4. connected components over the links give clusters;
5. the chaining guard re-checks every cluster whose members disagree on a strong identifier
   (or hold a rejected pair): it is rebuilt from certain links, then the scored links in order
   of probability, skipping any link that would join a disagreement; skipped links go to review.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hotpass.duckdb_connection import drop_tables
from hotpass.resolve.config import ResolveConfig, builtin_configs, load_config
from hotpass.resolve.decisions import PairDecision, pair_id
from hotpass.resolve.reuse import WORKING_TABLES as REUSE_TABLES
from hotpass.resolve.reuse import ResolutionCache

# Published probabilities and weights are rounded: Splink's training sums in parallel, so the
# last bits differ between runs of the same records, and the same inputs must publish the
# same bytes.
DIGITS = 6

__all__ = [
    "Resolution",
    "ResolveConfig",
    "builtin_configs",
    "connected_components",
    "load_config",
    "resolve",
]


# resolve()'s own tables in DuckDB, dropped when its results are Arrow tables.
WORKING_TABLES = (
    "hotpass_det",
    "hotpass_decisions",
    "hotpass_rejected",
    "hotpass_scored",
    "hotpass_edges",
    "hotpass_nodes",
    "hotpass_clusters",
    "hotpass_bad",
    "hotpass_guarded",
)


@dataclass
class Resolution:
    """Arrow tables: ``clusters`` (unique_id, cluster_id), ``links`` and ``review``."""

    clusters: Any
    links: Any
    review: Any
    seconds: dict[str, float] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Whether this run trained or kept the model (and on how many records it was trained,
    # how many changed since), and how many records' pairs were scored again when pairs
    # were kept (None: every pair was scored).
    training: dict[str, Any] = field(default_factory=dict)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _deterministic_edges(con: Any, table: str, config: ResolveConfig) -> None:
    """Star edges (each member -> its group's smallest id): linear in the group size."""
    parts = []
    for rule in config.deterministic:
        columns = ", ".join(_q(c) for c in rule)
        present = " AND ".join(f"{_q(c)} IS NOT NULL" for c in rule)
        label = "rule:" + "+".join(rule)
        parts.append(
            f"""SELECT unique_id AS unique_id_l,
                   min(unique_id) OVER (PARTITION BY {columns}) AS unique_id_r,
                   '{label}' AS rule
                FROM {table} WHERE {present}"""
        )
    if not parts:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE hotpass_det AS SELECT ''::VARCHAR AS unique_id_l,"
            " ''::VARCHAR AS unique_id_r, ''::VARCHAR AS rule WHERE false"
        )
        return
    union = " UNION ALL ".join(parts)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_det AS
            SELECT least(unique_id_l, unique_id_r) AS unique_id_l,
                   greatest(unique_id_l, unique_id_r) AS unique_id_r, min(rule) AS rule
            FROM ({union}) WHERE unique_id_l <> unique_id_r GROUP BY 1, 2"""
    )


def _evidence_sql(model: Mapping[str, Any]) -> str:
    """SQL building a readable evidence string from the gamma columns."""
    pieces = []
    for comparison in model["comparisons"]:
        column = comparison["output_column_name"]
        cases = []
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        for position, level in enumerate(levels):
            value = len(levels) - 1 - position
            label = level["label_for_charts"].replace("'", "''")
            cases.append(f"WHEN {value} THEN '{label}'")
        pieces.append(f"'{column}: ' || CASE gamma_{column} {' '.join(cases)} ELSE 'missing' END")
    return " || '; ' || ".join(pieces)


def connected_components(con: Any, nodes: str, edges: str, out: str) -> None:
    """Connected components: ``out`` gets (unique_id, cluster_id = the component's smallest
    unique_id) for every node. ``nodes`` has one row per unique_id; ``edges`` has
    unique_id_l/unique_id_r, every row an edge (an edge to an unknown node is ignored).

    The ids become dense integers in DuckDB and scipy's sparse-graph solver labels the
    components (0.4 s where Splink's SQL solver took 1.9 s on 860k records and 812k links;
    same clusters)."""
    import numpy as np
    import pyarrow as pa
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as label_components

    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_cc_ids AS "
        f"SELECT unique_id, (row_number() OVER () - 1)::INTEGER AS node FROM {nodes}"
    )
    count = con.execute("SELECT count(*) FROM hotpass_cc_ids").fetchall()[0][0]
    pairs = con.execute(
        f"""SELECT a.node AS l, b.node AS r FROM {edges} e
            JOIN hotpass_cc_ids a ON a.unique_id = e.unique_id_l
            JOIN hotpass_cc_ids b ON b.unique_id = e.unique_id_r"""
    ).fetchnumpy()
    left, right = np.asarray(pairs["l"], dtype=np.int32), np.asarray(pairs["r"], dtype=np.int32)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(count, count))
    labels = label_components(graph, directed=False)[1] if count else np.empty(0, np.int32)
    con.register(
        "hotpass_cc_labels",
        pa.table({"node": np.arange(count, dtype=np.int32), "label": labels.astype(np.int32)}),
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
            SELECT unique_id, min(unique_id) OVER (PARTITION BY label) AS cluster_id
            FROM hotpass_cc_ids JOIN hotpass_cc_labels USING (node)"""
    )
    con.unregister("hotpass_cc_labels")
    drop_tables(con, "hotpass_cc_ids")


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:
            self.parent[item], item = root, self.parent[item]
        return root


def _guard(con: Any, table: str, config: ResolveConfig) -> int:
    """Rebuild clusters whose members disagree on a strong identifier; return how many."""
    disagreements = [
        f"SELECT cluster_id FROM hotpass_clusters JOIN {table} USING (unique_id) "
        f"GROUP BY cluster_id HAVING count(DISTINCT {_q(c)}) > 1"
        for c in config.strong_identifiers
    ]
    disagreements.append(
        """SELECT a.cluster_id FROM hotpass_rejected r
           JOIN hotpass_clusters a ON a.unique_id = r.unique_id_l
           JOIN hotpass_clusters b ON b.unique_id = r.unique_id_r
           WHERE a.cluster_id = b.cluster_id"""
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_bad AS SELECT DISTINCT cluster_id FROM ("
        + " UNION ".join(disagreements)
        + ")"
    )
    bad = con.execute("SELECT count(*) FROM hotpass_bad").fetchall()[0][0]
    if not bad:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE hotpass_guarded AS SELECT '' AS unique_id_l, "
            "'' AS unique_id_r WHERE false"
        )
        return 0
    identifiers = ", ".join(_q(c) for c in config.strong_identifiers) or "NULL AS none"
    members = con.execute(
        f"""SELECT unique_id, {identifiers} FROM {table}
            WHERE unique_id IN (SELECT unique_id FROM hotpass_clusters
                                WHERE cluster_id IN (SELECT cluster_id FROM hotpass_bad))"""
    ).fetchall()
    edges = con.execute(
        """SELECT unique_id_l, unique_id_r, certain FROM hotpass_edges
           WHERE unique_id_l IN (SELECT unique_id FROM hotpass_clusters
                                 WHERE cluster_id IN (SELECT cluster_id FROM hotpass_bad))
           ORDER BY certain DESC, match_probability DESC, unique_id_l, unique_id_r"""
    ).fetchall()
    rejected = {
        frozenset(pair)
        for pair in con.execute("SELECT unique_id_l, unique_id_r FROM hotpass_rejected").fetchall()
    }
    # The loop runs over the few disagreeing clusters only, never over the whole table.
    values: dict[str, list[set[Any]]] = {
        row[0]: [{v} if v is not None else set() for v in row[1:]] for row in members
    }
    found = _UnionFind()
    held: dict[str, set[str]] = {}
    skipped: list[tuple[str, str]] = []
    for left, right, _certain in edges:
        a, b = found.find(left), found.find(right)
        if a == b:
            continue
        ids_a, ids_b = values.setdefault(a, []), values.setdefault(b, [])
        clash = any(x and y and x != y for x, y in zip(ids_a, ids_b, strict=False))
        members_a, members_b = held.setdefault(a, {a}), held.setdefault(b, {b})
        barred = any(frozenset((x, y)) in rejected for x in members_a for y in members_b)
        if clash or barred:
            skipped.append((left, right))
            continue
        found.parent[b] = a
        values[a] = [x | y for x, y in zip(ids_a, ids_b, strict=False)]
        held[a] = members_a | members_b
    import pyarrow as pa

    relabel = pa.table(
        {
            "unique_id": [row[0] for row in members],
            "root": [found.find(row[0]) for row in members],
        }
    )
    skipped_table = pa.table(
        {"unique_id_l": [s[0] for s in skipped], "unique_id_r": [s[1] for s in skipped]},
        schema=pa.schema([("unique_id_l", pa.string()), ("unique_id_r", pa.string())]),
    )
    con.register("hotpass_relabel_arrow", relabel)
    con.register("hotpass_guarded_arrow", skipped_table)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_guarded AS SELECT * FROM hotpass_guarded_arrow"
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hotpass_clusters AS
           SELECT c.unique_id, coalesce(g.cluster_id, c.cluster_id) AS cluster_id
           FROM hotpass_clusters c LEFT JOIN (
               SELECT unique_id, min(unique_id) OVER (PARTITION BY root) AS cluster_id
               FROM hotpass_relabel_arrow) g USING (unique_id)"""
    )
    con.unregister("hotpass_relabel_arrow")
    con.unregister("hotpass_guarded_arrow")
    return int(bad)


@dataclass
class _Scores:
    """What Splink gave: ``pairs`` (DuckDB table of newly scored pairs), ``kept`` (SQL of the
    latest run's pairs that stand, or "") and the model with what the cache records of it."""

    pairs: str
    kept: str
    model: dict[str, Any]
    notes: list[str]
    frequencies: list[str]
    compared: list[str]
    training: dict[str, Any]


def _score(
    con: Any,
    table: str,
    config: ResolveConfig,
    *,
    spark: Any | None,
    cache: ResolutionCache | None,
    say: Callable[[str], None],
) -> _Scores:
    """Train (or keep the latest model) and score the pairs that need it."""
    from hotpass.resolve.model import name_frequencies, score, train
    from hotpass.resolve.reuse import CHANGED, compared_columns, kept_scores, mark_changed

    records = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    earlier = cache.load() if cache is not None else None
    compared = compared_columns(config)
    changed = mark_changed(con, table, earlier, compared) if earlier is not None else None
    engine = "Spark" if spark else "DuckDB"
    notes: list[str] = []
    if (
        earlier is None
        or changed is None
        or cache is None
        or not cache.keeps_model(earlier, changed)
    ):
        say(f"resolve: training and scoring (Splink on {engine})")
        model, notes = train(con, table, config, spark=spark)
        trained, since = records, 0
        earlier = None
    else:
        model, trained = earlier.model, earlier.trained_records
        since = earlier.changed_since_training + changed
        notes.append(
            f"the latest run's model kept (trained on {trained} records; {since} added, "
            "removed or changed since)"
        )
    for note in notes:
        say(f"resolve: {note}")
    frequencies = name_frequencies(con, config, table, model)
    kept, rescored = "", None
    if earlier is not None and cache is not None and cache.reuse_scores:
        kept = kept_scores(con, table, earlier, frequencies)
        rescored = int(con.execute(f"SELECT count(*) FROM {CHANGED}").fetchall()[0][0])
        say(
            f"resolve: scoring the pairs of {rescored} new or changed record(s) "
            f"(Splink on {engine})"
        )
        pairs = score(
            con, table, config, model, frequencies=frequencies, spark=spark, changed=CHANGED
        )
    else:
        if earlier is not None:
            say(f"resolve: scoring (Splink on {engine})")
        pairs = score(con, table, config, model, frequencies=frequencies, spark=spark)
    training = {
        "model": "kept" if earlier is not None else "trained",
        "trained_records": trained,
        "changed_since_training": since,
        "records_rescored": rescored,
    }
    return _Scores(pairs, kept, model, notes, frequencies, compared, training)


def resolve(
    con: Any,
    table: str,
    /,
    *,
    config: ResolveConfig,
    decisions: Mapping[str, PairDecision] | None = None,
    progress: Callable[[str], None] | None = None,
    spark: Any | None = None,
    cache: ResolutionCache | None = None,
) -> Resolution:
    """Resolve the records in DuckDB table ``table`` (``unique_id`` + compared columns).

    Columns that are not compared are carried into the review queue beside the pair, so a
    reviewer sees e.g. display names. Returns clusters for every input record (a record with
    no link is its own cluster), every link considered, and the review queue.

    With a SparkSession in ``spark``, Splink trains and scores pairs with its Spark backend;
    the scored pairs come back to DuckDB for the rest (they are far fewer than the records'
    blocked comparisons).

    With a ``cache``, the latest run's model and the scores of pairs of unchanged records are
    reused when they can be (:mod:`hotpass.resolve.reuse`), and this run's are saved there.
    """
    import pyarrow as pa

    from hotpass.resolve.model import drop_splink_tables

    say = progress or (lambda _message: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    _deterministic_edges(con, table, config)
    seconds["deterministic"] = time.perf_counter() - started

    started = time.perf_counter()
    scores = _score(con, table, config, spark=spark, cache=cache, say=say)
    model, notes = scores.model, scores.notes
    seconds["splink"] = time.perf_counter() - started

    started = time.perf_counter()
    chosen = list((decisions or {}).values())
    con.register(
        "hotpass_decisions_arrow",
        pa.table(
            {
                "unique_id_l": [min(d.left_record_id, d.right_record_id) for d in chosen],
                "unique_id_r": [max(d.left_record_id, d.right_record_id) for d in chosen],
                "decision": [d.decision for d in chosen],
            },
            schema=pa.schema(
                [
                    ("unique_id_l", pa.string()),
                    ("unique_id_r", pa.string()),
                    ("decision", pa.string()),
                ]
            ),
        ),
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_decisions AS
            SELECT d.* FROM hotpass_decisions_arrow d
            WHERE unique_id_l IN (SELECT unique_id FROM {table})
              AND unique_id_r IN (SELECT unique_id FROM {table})"""
    )
    con.unregister("hotpass_decisions_arrow")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_rejected AS "
        "SELECT unique_id_l, unique_id_r FROM hotpass_decisions WHERE decision = 'reject'"
    )
    evidence = _evidence_sql(model)
    kept = f"UNION ALL {scores.kept}" if scores.kept else ""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_scored AS
            SELECT least(unique_id_l, unique_id_r) AS unique_id_l,
                   greatest(unique_id_l, unique_id_r) AS unique_id_r,
                   match_probability, match_weight, {evidence} AS evidence
            FROM {scores.pairs} {kept}"""
    )
    if cache is not None:
        cache.save(
            con,
            features=table,
            compared=scores.compared,
            scored="hotpass_scored",
            model=model,
            frequencies=scores.frequencies,
            trained_records=scores.training["trained_records"],
            changed_since_training=scores.training["changed_since_training"],
        )
    drop_splink_tables(con)
    drop_tables(con, *REUSE_TABLES)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_edges AS
            WITH scored AS (
                SELECT s.unique_id_l, s.unique_id_r, s.match_probability, s.match_weight,
                       s.evidence, 'splink' AS rule
                FROM hotpass_scored s
                WHERE s.match_probability >= {config.threshold!r}
            ), certain AS (
                SELECT unique_id_l, unique_id_r, rule FROM hotpass_det
                UNION ALL
                SELECT unique_id_l, unique_id_r, 'review:accepted' FROM hotpass_decisions
                WHERE decision = 'accept'
            )
            SELECT unique_id_l, unique_id_r, min(rule) AS rule, max(certain) AS certain,
                   max(match_probability) AS match_probability
            FROM (
                SELECT unique_id_l, unique_id_r, rule, true AS certain, 1.0 AS match_probability
                FROM certain
                UNION ALL
                SELECT unique_id_l, unique_id_r, rule, false, match_probability FROM scored
            ) e
            WHERE NOT EXISTS (
                SELECT 1 FROM hotpass_rejected x
                WHERE x.unique_id_l = e.unique_id_l AND x.unique_id_r = e.unique_id_r)
            GROUP BY unique_id_l, unique_id_r"""
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE hotpass_nodes AS SELECT unique_id FROM {table}")
    connected_components(con, "hotpass_nodes", "hotpass_edges", "hotpass_clusters")
    seconds["cluster"] = time.perf_counter() - started
    started = time.perf_counter()
    guarded = _guard(con, table, config)
    seconds["guard"] = time.perf_counter() - started
    say(f"resolve: chaining guard rebuilt {guarded} cluster(s)")

    context = [
        c
        for c in con.execute(f"DESCRIBE {table}").fetchall()
        if c[0] not in {"unique_id", "source_dataset"}
    ]
    side_by_side = ", ".join(
        f"l.{_q(c[0])} AS {_q('left_' + c[0])}, r.{_q(c[0])} AS {_q('right_' + c[0])}"
        for c in context
    )
    links = con.sql(
        f"""SELECT e.unique_id_l AS left_record_id, e.unique_id_r AS right_record_id,
                  e.rule, round(e.match_probability, {DIGITS}) AS match_probability,
                  round(s.match_weight, {DIGITS}) AS match_weight, s.evidence,
                  CASE WHEN g.unique_id_l IS NOT NULL THEN 'guarded'
                       WHEN a.cluster_id = b.cluster_id THEN 'linked'
                       ELSE 'split' END AS status
           FROM hotpass_edges e
           LEFT JOIN hotpass_scored s USING (unique_id_l, unique_id_r)
           LEFT JOIN hotpass_guarded g USING (unique_id_l, unique_id_r)
           JOIN hotpass_clusters a ON a.unique_id = e.unique_id_l
           JOIN hotpass_clusters b ON b.unique_id = e.unique_id_r
           ORDER BY 1, 2"""
    ).to_arrow_table()
    review = con.sql(
        f"""WITH candidates AS (
                SELECT s.unique_id_l, s.unique_id_r, s.match_probability, s.match_weight,
                       s.evidence, 'uncertain' AS reason
                FROM hotpass_scored s
                WHERE s.match_probability < {config.threshold!r}
                UNION ALL
                SELECT g.unique_id_l, g.unique_id_r, s.match_probability, s.match_weight,
                       s.evidence, 'would join records that disagree on an identifier'
                FROM hotpass_guarded g LEFT JOIN hotpass_scored s USING (unique_id_l, unique_id_r)
            )
            SELECT c.unique_id_l AS left_record_id, c.unique_id_r AS right_record_id,
                   round(c.match_probability, {DIGITS}) AS match_probability,
                   round(c.match_weight, {DIGITS}) AS match_weight, c.reason, c.evidence,
                   {side_by_side}
            FROM candidates c
            JOIN {table} l ON l.unique_id = c.unique_id_l
            JOIN {table} r ON r.unique_id = c.unique_id_r
            JOIN hotpass_clusters a ON a.unique_id = c.unique_id_l
            JOIN hotpass_clusters b ON b.unique_id = c.unique_id_r
            WHERE a.cluster_id <> b.cluster_id
              AND NOT EXISTS (
                  SELECT 1 FROM hotpass_decisions d
                  WHERE d.unique_id_l = c.unique_id_l AND d.unique_id_r = c.unique_id_r)
            ORDER BY round(c.match_probability, {DIGITS}) DESC NULLS LAST, 1, 2"""
    ).to_arrow_table()
    ids = [
        pair_id(a, b)
        for a, b in zip(
            review.column("left_record_id").to_pylist(),
            review.column("right_record_id").to_pylist(),
            strict=True,
        )
    ]
    review = review.add_column(0, "pair_id", pa.array(ids, pa.string()))
    clusters = con.sql(
        "SELECT unique_id, cluster_id FROM hotpass_clusters ORDER BY unique_id"
    ).to_arrow_table()
    drop_tables(con, *WORKING_TABLES)
    return Resolution(
        clusters=clusters,
        links=links,
        review=review,
        seconds=seconds,
        model=model,
        notes=notes,
        training=scores.training,
    )
