"""Reuse of the latest run's resolution: its model, and the scores of the pairs no change
touches (settings ``retrain_resolution_after`` and ``reuse_scores``).

Why this is sound: with the model kept, a pair's score depends only on its two records'
features and on the frequency of their name (:func:`hotpass.resolve.model.name_frequencies`).
So a pair of two records whose compared values are unchanged since the latest run, and whose
names' frequencies are unchanged, keeps its score: only the pairs with at least one other record are
scored again (:func:`hotpass.resolve.model.score`, argument ``changed``). A blocking rule is a
condition on the pair's two records alone, so the kept pairs are exactly those a full scoring
would block among the unchanged records. ``tests/python/hotpass/resolve/test_reuse.py`` holds
the result equal to scoring every pair with the same model.

The model is kept until the records have changed enough to train again: records added,
removed or changed since it was trained, over the records it was trained on, above
``retrain_resolution_after``. Other resolution code, profile or Splink train again too.

One entry, ``<workspace>/cache/resolution/latest/``: the model, a digest of each record's
compared values, the name frequencies and the scored pairs at or above the review floor,
written by DuckDB as Parquet and read back by DuckDB only. The digest is DuckDB's 64-bit
``hash`` of the values: writing them all took 0.5 s at a million records, the digest 0.1 s. A
changed record whose digest stays the same (odds of 1 in 2^64) would keep stale scores; a
DuckDB whose ``hash`` changed marks every record changed, which is only slower.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from hotpass import __version__
from hotpass.cache_entry import read_marker, replace_entry
from hotpass.resolve.config import ResolveConfig

__all__ = ["Earlier", "ResolutionCache", "resolution_fingerprint"]

_MARKER = "resolution.json"  # written last: an entry without it is incomplete and ignored
CHANGED = "hotpass_changed_records"  # unique_ids whose pairs are scored again
_CLEAN = "hotpass_clean_records"


def resolution_fingerprint(config: ResolveConfig) -> str:
    """A digest of the resolution code, the profile, Splink's version and the release."""
    from hotpass.stage_cache import code_walk

    digest = hashlib.sha256(f"{__version__}\0{metadata.version('splink')}\0".encode())
    digest.update(config.model_dump_json().encode() + b"\0")
    for name, data in sorted(code_walk(resources.files("hotpass.resolve"), "hotpass.resolve")):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass(frozen=True)
class Earlier:
    """The latest run's resolution, as saved."""

    folder: Path
    model: dict[str, Any]
    compared: list[str]  # the columns the digests cover, in order
    trained_records: int  # records the model was trained on (before any sample)
    changed_since_training: int  # records added, removed or changed in the runs since
    frequencies: list[str]  # name columns with term frequencies

    def parquet(self, name: str) -> str:
        """SQL reading one of the entry's tables."""
        return f"read_parquet({_sql_path(self.folder / f'{name}.parquet')})"


class ResolutionCache:
    """The latest run's resolution under ``root``, valid for one fingerprint."""

    def __init__(
        self, root: Path, fingerprint: str, *, reuse_scores: bool, retrain_after: float
    ) -> None:
        self.root = root
        self.fingerprint = fingerprint
        self.reuse_scores = reuse_scores
        self.retrain_after = retrain_after

    def load(self) -> Earlier | None:
        """The saved resolution, or None (no entry, unfinished, other code)."""
        marker = read_marker(self.root, _MARKER, self.fingerprint)
        if marker is None:
            return None
        folder = self.root / "latest"
        return Earlier(
            folder=folder,
            model=json.loads((folder / "model.json").read_text()),
            compared=list(marker["compared"]),
            trained_records=int(marker["trained_records"]),
            changed_since_training=int(marker["changed_since_training"]),
            frequencies=list(marker["frequencies"]),
        )

    def keeps_model(self, earlier: Earlier, changed: int) -> bool:
        """Whether ``earlier``'s model scores this run, ``changed`` records having been added,
        removed or changed since the latest run."""
        since = earlier.changed_since_training + changed
        return since <= self.retrain_after * max(earlier.trained_records, 1)

    def save(
        self,
        con: Any,
        *,
        features: str,
        compared: list[str],
        scored: str,
        model: dict[str, Any],
        frequencies: list[str],
        trained_records: int,
        changed_since_training: int,
    ) -> None:
        """Replace the entry with this run's record digests (of the ``compared`` columns of
        ``features``), scored pairs and name frequencies (DuckDB tables) and its model."""
        with replace_entry(
            self.root,
            _MARKER,
            self.fingerprint,
            compared=compared,
            trained_records=trained_records,
            changed_since_training=changed_since_training,
            frequencies=frequencies,
        ) as staging:
            (staging / "model.json").write_text(json.dumps(model, sort_keys=True))
            queries = {"records": _digests(features, compared), "scored": f"FROM {scored}"}
            queries.update({f"tf_{c}": f"FROM hotpass_tf_{c}" for c in frequencies})
            for name, query in queries.items():
                con.execute(f"COPY ({query}) TO {_sql_path(staging / f'{name}.parquet')}")


def compared_columns(config: ResolveConfig) -> list[str]:
    """The columns a pair's score and blocking read (besides the frequencies)."""
    columns = [spec.column for spec in config.comparisons]
    columns += [f"{s.column}_domain" for s in config.comparisons if s.kind == "email"]
    columns += [column for rule in config.blocking for column in rule]
    return sorted(set(columns))


def _digests(table: str, compared: list[str]) -> str:
    values = ", ".join('"' + c.replace('"', '""') + '"' for c in compared)
    return f"SELECT unique_id, hash({values}) AS digest FROM {table}"


def mark_changed(con: Any, table: str, earlier: Earlier, compared: list[str]) -> int | None:
    """Table ``hotpass_changed_records``: the records of ``table`` that are new or whose
    compared values differ from the latest run's. Returns how many records were added,
    removed or changed; None when the latest run compared other columns (nothing is reused)."""
    if compared != earlier.compared:
        return None
    saved = earlier.parquet("records")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {CHANGED} AS
            SELECT unique_id FROM ({_digests(table, compared)})
            ANTI JOIN {saved} USING (unique_id, digest)"""
    )
    changed = con.execute(f"SELECT count(*) FROM {CHANGED}").fetchall()[0][0]
    removed = con.execute(
        f"SELECT count(*) FROM {saved} ANTI JOIN {table} USING (unique_id)"
    ).fetchall()[0][0]
    return int(changed) + int(removed)


def kept_scores(con: Any, table: str, earlier: Earlier, frequencies: list[str]) -> str:
    """Add to ``hotpass_changed_records`` the unchanged records whose name's frequency changed
    (the other records' frequencies are this run's, from :func:`name_frequencies`), and return
    SQL for the latest run's scored pairs of two records that stay unchanged."""
    for column in frequencies:
        if column not in earlier.frequencies:
            raise ValueError(f"the saved resolution has no frequencies for {column}")
        con.execute(
            f"""INSERT INTO {CHANGED}
                SELECT t.unique_id FROM {table} t
                JOIN hotpass_tf_{column} n USING ({column})
                LEFT JOIN {earlier.parquet(f"tf_{column}")} o USING ({column})
                WHERE o.tf_{column} IS DISTINCT FROM n.tf_{column}
                  AND t.unique_id NOT IN (SELECT unique_id FROM {CHANGED})"""
        )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {_CLEAN} AS SELECT unique_id FROM {table}
            WHERE unique_id NOT IN (SELECT unique_id FROM {CHANGED})"""
    )
    return f"""SELECT * FROM {earlier.parquet("scored")}
               WHERE unique_id_l IN (SELECT unique_id FROM {_CLEAN})
                 AND unique_id_r IN (SELECT unique_id FROM {_CLEAN})"""


WORKING_TABLES = (CHANGED, _CLEAN)
