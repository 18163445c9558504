"""Row-level diff of golden organisations between two versions: the review a person does before
approving a merge. Rows are matched by ``org_id`` (stable across runs), so a renamed
organisation shows as changed, not as removed and added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Not compared: the key, and per-field provenance (it changes whenever any source row does and
# is explained by the fields themselves).
_NOT_COMPARED = {"org_id", "provenance"}


@dataclass(frozen=True)
class RowChange:
    org_id: str
    display_name: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganisationDiff:
    added: list[RowChange] = field(default_factory=list)
    removed: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    unchanged: int = 0

    def to_dict(self) -> dict[str, Any]:
        def rows(items: list[RowChange], with_fields: bool) -> list[dict[str, Any]]:
            return [
                {"org_id": r.org_id, "display_name": r.display_name}
                | ({"fields": list(r.fields)} if with_fields else {})
                for r in items
            ]

        return {
            "added": rows(self.added, False),
            "removed": rows(self.removed, False),
            "changed": rows(self.changed, True),
            "unchanged": self.unchanged,
        }


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def diff_organisations(before: Any, after: Any) -> OrganisationDiff:
    """Organisations added, removed and changed (with the changed fields) from ``before`` to
    ``after`` (Arrow tables of golden organisations), in one set-based DuckDB query."""
    from hotpass.duckdb_connection import quiet_duckdb

    shared = [c for c in after.column_names if c in before.column_names and c not in _NOT_COMPARED]
    added_columns = sorted(set(after.column_names) - set(before.column_names) - _NOT_COMPARED)
    removed_columns = sorted(set(before.column_names) - set(after.column_names) - _NOT_COMPARED)
    checks = ", ".join(
        f"CASE WHEN o.{_quote(c)} IS DISTINCT FROM n.{_quote(c)} THEN '{c}' END" for c in shared
    )
    # A column only one version has is a change of every row present in both.
    schema_changes = ", ".join(f"'{c}'" for c in [*added_columns, *removed_columns])
    fields = f"list_filter([{checks}], lambda x: x IS NOT NULL)" if checks else "[]::VARCHAR[]"
    if schema_changes:
        fields = f"list_concat({fields}, [{schema_changes}])"
    con = quiet_duckdb()
    try:
        con.register("hotpass_v_before", before)
        con.register("hotpass_v_after", after)
        con.execute(
            f"""
            CREATE TEMP TABLE hotpass_diff AS
            SELECT coalesce(n.org_id, o.org_id) AS org_id,
                   coalesce(n.display_name, o.display_name) AS display_name,
                   CASE WHEN o.org_id IS NULL THEN 'added'
                        WHEN n.org_id IS NULL THEN 'removed' ELSE 'changed' END AS kind,
                   CASE WHEN o.org_id IS NULL OR n.org_id IS NULL THEN []::VARCHAR[]
                        ELSE {fields} END AS fields
            FROM hotpass_v_before AS o FULL OUTER JOIN hotpass_v_after AS n ON o.org_id = n.org_id
            """
        )
        unchanged = con.execute(
            "SELECT count(*) FROM hotpass_diff WHERE kind = 'changed' AND len(fields) = 0"
        ).fetchone()
        differing = con.execute(
            "SELECT kind, org_id, display_name, fields FROM hotpass_diff "
            "WHERE kind <> 'changed' OR len(fields) > 0 ORDER BY org_id"
        ).fetchall()
    finally:
        con.close()
    by_kind: dict[str, list[RowChange]] = {"added": [], "removed": [], "changed": []}
    for kind, org_id, name, changed_fields in differing:
        by_kind[kind].append(RowChange(org_id, name, tuple(changed_fields)))
    return OrganisationDiff(
        by_kind["added"],
        by_kind["removed"],
        by_kind["changed"],
        int(unchanged[0] if unchanged else 0),
    )
