"""The probabilistic model: Splink comparisons per comparison kind, training and scoring.

Training is unsupervised (u by random sampling, m by expectation maximisation); a refine run
keeps the latest model until the records have changed enough to train again
(:mod:`hotpass.resolve.reuse`). Training ends with two corrections that the benchmark showed
are needed when most organisations appear only once or twice (see
docs/adr/0004-entity-resolution-and-sites.md):

* u by random sampling counts the true duplicates among the random pairs. With about 1.5
  records per organisation, "same name" is then mostly explained by duplicates, and an exact
  name would weigh ~1000 times too little. u is corrected to ``(u - lambda * m) / (1 - lambda)``,
  floored so that at most ``false_agreement_share`` of the agreeing random pairs are different
  entities (a floor tied to lambda, so a name-only match scores the same at any table size).
* EM can drive a level's m to ~1e-16 when its blocking pass never shows that level (records
  blocked on a shared website rarely have different email domains). m is floored, so one
  disagreeing field can never veto a match on its own.

Term-frequency adjustment on exact names counts *organisations*, not records: a name's
frequency is the number of distinct websites that use it, times the exact level's u, so a
name shared by several companies weighs less and a name of one company keeps its full weight.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

from hotpass.duckdb_connection import drop_tables
from hotpass.resolve.config import ComparisonSpec, ResolveConfig

M_FLOOR = 0.01

# A column scoring adds to the records (in a view) when only pairs with a changed record are
# wanted.
CHANGED_COLUMN = "hotpass_changed"
_SCORING = "hotpass_scoring"


# The two name levels no portable SQL function spells: "different numbers" and "one name has
# all the other's words", in each backend's dialect (same meaning: the words are split on one
# space, the numbers are whole runs of digits, compared as sorted lists).
_NAME_SQL = {
    "duckdb": (
        "list_sort(regexp_extract_all({l}, '\\b[0-9]+\\b')) "
        "<> list_sort(regexp_extract_all({r}, '\\b[0-9]+\\b'))",
        "list_has_all(string_split({l}, ' '), string_split({r}, ' ')) "
        "OR list_has_all(string_split({r}, ' '), string_split({l}, ' '))",
    ),
    # Spark unescapes string literals, so its regex needs the backslash doubled.
    "spark": (
        "array_sort(regexp_extract_all({l}, '\\\\b[0-9]+\\\\b', 0)) "
        "<> array_sort(regexp_extract_all({r}, '\\\\b[0-9]+\\\\b', 0))",
        "size(array_except(split({r}, ' '), split({l}, ' '))) = 0 "
        "OR size(array_except(split({l}, ' '), split({r}, ' '))) = 0",
    ),
}


def _name_levels(column: str, dialect: str) -> list[Any]:
    import splink.comparison_level_library as cll

    numbers, words = (sql.format(l=f"{column}_l", r=f"{column}_r") for sql in _NAME_SQL[dialect])
    return [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column, term_frequency_adjustments=True),
        cll.CustomLevel(numbers, label_for_charts="different numbers in the names"),
        cll.CustomLevel(words, label_for_charts="one name has all the other's words"),
        cll.JaroWinklerLevel(column, 0.92),
        cll.JaroWinklerLevel(column, 0.80),
        cll.ElseLevel(),
    ]


def _comparison(spec: ComparisonSpec, dialect: str) -> Any:
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    column = spec.column
    levels: list[Any]
    if spec.kind == "name":
        levels = _name_levels(column, dialect)
    elif spec.kind == "email":
        domain = f"{column}_domain"
        levels = [
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.CustomLevel(
                f"{domain}_l = {domain}_r", label_for_charts="same non-generic mail domain"
            ),
            cll.ElseLevel(),
        ]
    elif spec.kind in {"text", "address"}:
        levels = [
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.JaroWinklerLevel(column, 0.9),
            cll.ElseLevel(),
        ]
    else:  # identifier, phone, website, postcode, date: equal or not
        levels = [cll.NullLevel(column), cll.ExactMatchLevel(column), cll.ElseLevel()]
    return CustomComparison(
        output_column_name=column, comparison_levels=levels, comparison_description=spec.kind
    )


def _block(rule: list[str]) -> Any:
    from splink import block_on

    return block_on(*rule)


def settings_for(config: ResolveConfig, dialect: str = "duckdb") -> Any:
    """The untrained Splink settings for ``config``, its SQL in ``dialect`` (duckdb, spark)."""
    from splink import SettingsCreator

    linking: dict[str, Any] = (
        {"source_dataset_column_name": "source_dataset"} if config.source_column else {}
    )
    return SettingsCreator(
        link_type=config.link_type,
        unique_id_column_name="unique_id",
        **linking,
        comparisons=[_comparison(spec, dialect) for spec in config.comparisons],
        blocking_rules_to_generate_predictions=[_block(rule) for rule in config.blocking],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
    )


def _corrected(
    model: dict[str, Any], lam: float, sampled: float, *, correct_u: bool, false_share: float
) -> dict[str, Any]:
    """Apply the u and m corrections described in the module docstring.

    ``sampled`` is how many random pairs u was estimated from. When the agreements seen are
    within two standard deviations of what true duplicates alone would give, the difference
    ``u - lambda*m`` is noise and u takes its floor.
    """
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m = level.get("m_probability")
            u = level.get("u_probability")
            if m is not None:
                m = max(float(m), M_FLOOR)
                level["m_probability"] = m
            if u is not None and m is not None and correct_u:
                # At most ``false_share`` of the random pairs agreeing at this level are
                # different entities: a floor that does not depend on the table size.
                floor = false_share * lam * m / (1 - lam)
                from_duplicates = sampled * lam * m
                seen = float(u) * sampled
                if seen <= from_duplicates + 2 * math.sqrt(from_duplicates) + 1:
                    level["u_probability"] = floor
                else:
                    level["u_probability"] = max((float(u) - lam * m) / (1 - lam), floor)
    return model


def _empty_pairs(con: Any, model: dict[str, Any]) -> str:
    gammas = "".join(
        f", NULL::INTEGER AS gamma_{c['output_column_name']}" for c in model["comparisons"]
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_no_pairs AS SELECT NULL::VARCHAR AS unique_id_l, "
        "NULL::VARCHAR AS unique_id_r, NULL::DOUBLE AS match_probability, "
        f"NULL::DOUBLE AS match_weight{gammas} WHERE false"
    )
    return "hotpass_no_pairs"


def training_steps(linker: Any, config: ResolveConfig) -> list[tuple[str, Callable[[], Any]]]:
    """Splink's training for ``config``, in order, as (name, step): the match rate from the
    training rules, u by random sampling, then m by EM on each training rule (u fixed)."""
    training_rules = [_block(rule) for rule in config.training_rules]
    train = linker.training
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "match rate",
            lambda: train.estimate_probability_two_random_records_match(
                training_rules, recall=config.training_recall
            ),
        ),
        (
            "u by random sampling",
            lambda: train.estimate_u_using_random_sampling(
                max_pairs=config.max_pairs_for_u, seed=config.seed
            ),
        ),
    ]
    for rule in config.training_rules:
        steps.append(
            (
                f"m by EM on {'+'.join(rule)}",
                functools.partial(
                    train.estimate_parameters_using_expectation_maximisation,
                    _block(rule),
                    fix_u_probabilities=True,
                ),
            )
        )
    return steps


def _splink_frame(con: Any, table: str, spark: Any | None) -> tuple[Any, Any]:
    """Splink's database API and its view of ``table``: the DuckDB table itself, or a copy in
    Spark (records cross once, as Arrow)."""
    db: Any
    if spark is None:
        from splink import DuckDBAPI

        db = DuckDBAPI(connection=con)
        return db, db.register(table)
    from splink.backends.spark import SparkAPI

    db = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
    records = spark.createDataFrame(con.table(table).to_arrow_table())
    # Training and scoring each register the records; Splink refuses a name already taken.
    spark.catalog.dropTempView(table)
    return db, db.register(records, table_name=table)


def _pairs_in_duckdb(con: Any, predictions: Any, spark: Any | None) -> str:
    """The scored pairs as a DuckDB table name (from Spark they are collected as Arrow)."""
    if spark is None:
        return str(predictions.physical_name)
    con.register("hotpass_spark_pairs_arrow", predictions.as_spark_dataframe().toArrow())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hotpass_spark_pairs AS "
        "SELECT * FROM hotpass_spark_pairs_arrow"
    )
    con.unregister("hotpass_spark_pairs_arrow")
    return "hotpass_spark_pairs"


def _training_sample(con: Any, table: str, config: ResolveConfig, rows: int) -> int:
    """Table hotpass_training: about ``max_records_for_training`` records of ``table``, chosen
    by a hash of the record id (the same records whatever the row order); returns its size.

    Every pair of two sampled records is kept, so the blocked pairs EM sees are a uniform
    sample of all blocked pairs and the estimated m, u and match rate keep their meaning."""
    cut = int(1_000_000 * config.max_records_for_training / rows)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE hotpass_training AS SELECT * FROM {table}
            WHERE hash(unique_id || '|{config.seed}') % 1000000 < {cut}"""
    )
    return int(con.execute("SELECT count(*) FROM hotpass_training").fetchall()[0][0])


def drop_splink_tables(con: Any) -> None:
    """Drop what Splink and training left in DuckDB (blocked pairs, comparison vectors,
    predictions, term frequencies, the sample, the scoring view). Call it once the scored
    pairs are copied out: at a million records these tables hold memory survivorship needs
    next."""
    leftovers = con.execute(
        """SELECT table_name FROM duckdb_tables()
           WHERE starts_with(table_name, '__splink__') OR starts_with(table_name, 'hotpass_tf_')
              OR table_name IN ('hotpass_training', 'hotpass_no_pairs', 'hotpass_spark_pairs')"""
    ).fetchall()
    drop_tables(con, *(table for (table,) in leftovers))
    con.execute(f"DROP VIEW IF EXISTS {_SCORING}")


def train(
    con: Any, table: str, config: ResolveConfig, *, spark: Any | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Train on DuckDB table ``table`` (features with ``unique_id``): the corrected model, and
    notes on training steps the data could not support (their defaults were used). Splink
    works in DuckDB, or in Spark when given a SparkSession."""
    from splink import Linker

    # Splink reports training progress through logging; a refine run reports its own.
    logging.getLogger("splink").setLevel(logging.ERROR)
    dialect = "duckdb" if spark is None else "spark"
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    if rows < 2:  # noqa: PLR2004 - a pair needs two records
        linker = Linker(
            _splink_frame(con, table, spark)[1],
            settings_for(config, dialect),
            log_level=logging.ERROR,
        )
        return linker.misc.save_model_to_json(), [f"{rows} record(s): nothing to compare"]
    notes: list[str] = []
    training_table, training_rows = table, rows
    if rows > config.max_records_for_training:
        training_table = "hotpass_training"
        training_rows = _training_sample(con, table, config, rows)
        notes.append(f"trained on a hash sample of {training_rows} of {rows} records")
    linker = Linker(
        _splink_frame(con, training_table, spark)[1],
        settings_for(config, dialect),
        log_level=logging.ERROR,
    )
    for name, step in training_steps(linker, config):
        try:
            step()
        except Exception as exc:  # - Splink raises many types when data is thin
            notes.append(
                f"{name}: not estimable from this data ({type(exc).__name__}); "
                "Splink's default used"
            )
    model = linker.misc.save_model_to_json()
    lam = float(model.get("probability_two_random_records_match") or 1 / max(rows, 2))
    model["probability_two_random_records_match"] = lam
    model = _corrected(
        model,
        lam,
        min(float(config.max_pairs_for_u), training_rows * (training_rows - 1) / 2),
        correct_u=config.correct_u_for_duplicates,
        false_share=config.false_agreement_share,
    )
    return model, notes


def name_frequencies(
    con: Any, config: ResolveConfig, table: str, model: dict[str, Any]
) -> list[str]:
    """Register term frequencies that count organisations (distinct websites), not records:
    DuckDB tables ``hotpass_tf_<column>`` over ``table``, for each name column ``model``
    adjusts by term frequency; returns those columns."""
    u_exact = {}
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("tf_adjustment_column") and level.get("u_probability") is not None:
                u_exact[level["tf_adjustment_column"]] = level["u_probability"]
    website = next((c.column for c in config.comparisons if c.kind == "website"), None)
    columns = []
    for spec in config.comparisons:
        if spec.kind != "name" or spec.column not in u_exact:
            continue
        column = spec.column
        distinct = f"count(DISTINCT {website})" if website else "1"
        con.execute(
            f"""
            CREATE OR REPLACE TABLE hotpass_tf_{column} AS
            SELECT {column}, greatest({distinct}, 1) * {u_exact[column]!r} AS tf_{column}
            FROM {table} WHERE {column} IS NOT NULL GROUP BY {column}
            """
        )
        columns.append(column)
    return columns


def score(
    con: Any,
    table: str,
    config: ResolveConfig,
    model: dict[str, Any],
    *,
    frequencies: list[str],
    spark: Any | None = None,
    changed: str | None = None,
) -> str:
    """Score the blocked pairs of ``table`` with ``model`` and the term frequencies of the
    columns in ``frequencies`` (:func:`name_frequencies` made them); return the DuckDB table
    name of the pairs at or above ``config.review_floor``, with Splink's gamma columns.

    ``changed``: a DuckDB table of ``unique_id``s. Only pairs with at least one of those
    records are scored: each blocking rule gains that condition, so the blocked pairs are the
    same pairs a full scoring would block, less those of two unchanged records."""
    from splink import Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    dialect = "duckdb" if spark is None else "spark"
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    if rows < 2:  # noqa: PLR2004 - a pair needs two records
        return _empty_pairs(con, model)
    if changed is not None and not con.execute(f"SELECT count(*) FROM {changed}").fetchall()[0][0]:
        return _empty_pairs(con, model)  # nothing changed: no pair to score
    scored_model = model
    if changed is not None:
        from splink.blocking_rule_library import And, CustomRule

        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW {_SCORING} AS
                SELECT *, unique_id IN (SELECT unique_id FROM {changed}) AS {CHANGED_COLUMN}
                FROM {table}"""
        )
        table = _SCORING
        either = CustomRule(f"l.{CHANGED_COLUMN} OR r.{CHANGED_COLUMN}")
        scored_model = {
            **model,
            "blocking_rules_to_generate_predictions": [
                And(_block(rule), either).create_blocking_rule_dict(dialect)
                for rule in config.blocking
            ],
        }
    db, frame = _splink_frame(con, table, spark)
    scoring = Linker(frame, scored_model, log_level=logging.ERROR)
    for column in frequencies:
        lookup: Any = f"hotpass_tf_{column}"
        if spark is not None:
            lookup = spark.createDataFrame(con.table(lookup).to_arrow_table())
        scoring.table_management.register_term_frequency_lookup(db.register(lookup), column)
    predictions = scoring.inference.predict(
        threshold_match_probability=config.review_floor, warning_mode="never"
    )
    return _pairs_in_duckdb(con, predictions, spark)
