"""Review decisions: a person's accept/reject verdicts on uncertain pairs, kept as a CSV file
in the workspace (``review/decisions.csv``) so they are versioned with the data and applied on
every later run. A pair is named by ``pair_id``, a hash of its two record ids in sorted order,
so the same pair gets the same id on every run."""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Decision = Literal["accept", "reject"]
FIELDS = ("pair_id", "left_record_id", "right_record_id", "decision", "decided_at", "note")


def pair_id(left: str, right: str) -> str:
    """Order-free id of a pair of record ids."""
    low, high = sorted((left, right))
    return hashlib.sha256(f"{low}\0{high}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class PairDecision:
    pair_id: str
    left_record_id: str
    right_record_id: str
    decision: Decision
    decided_at: str
    note: str = ""


def decisions_path(workspace: Path) -> Path:
    return workspace / "review" / "decisions.csv"


def load_decisions(path: Path) -> dict[str, PairDecision]:
    """Decisions by pair id; the last line for a pair wins (a decision can be revised)."""
    if not path.exists():
        return {}
    found: dict[str, PairDecision] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if row.get("decision") not in {"accept", "reject"}:
                raise ValueError(f"{path}: line {number}: decision must be accept or reject")
            left, right = row["left_record_id"], row["right_record_id"]
            found[pair_id(left, right)] = PairDecision(
                pair_id(left, right),
                left,
                right,
                row["decision"],  # type: ignore[arg-type]
                row.get("decided_at", ""),
                row.get("note", "") or "",
            )
    return found


def record_decisions(path: Path, new: list[PairDecision]) -> None:
    """Append ``new`` decisions, rewriting the file atomically."""
    existing = list(load_decisions(path).values())
    merged = {d.pair_id: d for d in [*existing, *new]}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".decisions-", dir=path.parent, text=True)
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for decision in merged.values():
            writer.writerow(
                {
                    "pair_id": decision.pair_id,
                    "left_record_id": decision.left_record_id,
                    "right_record_id": decision.right_record_id,
                    "decision": decision.decision,
                    "decided_at": decision.decided_at,
                    "note": decision.note,
                }
            )
    os.replace(temporary, path)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
