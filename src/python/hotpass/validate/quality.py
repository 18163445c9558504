"""Per-record quality: ``data_quality_score`` (0-1) and ``data_quality_flags``.

The score counts validity, never presence: a phone that failed to parse or an ``Unknown``
province earns nothing, and its flag says *invalid* rather than *missing*, so the data team
can tell a bad source from an empty one. Formula: docs/reference/quality.md.
"""

from __future__ import annotations

from typing import Any

# (component, weight, valid expression over golden g, raw-present expression over staged s)
COMPONENTS: tuple[tuple[str, float, str, str], ...] = (
    ("website", 0.20, "g.website_domain IS NOT NULL", "s.website_raw IS NOT NULL"),
    ("email", 0.20, "len(g.emails) > 0", "len(s.email_values) > 0"),
    ("phone", 0.20, "len(g.phones) > 0", "len(s.phone_values) > 0"),
    ("province", 0.15, "g.province IS NOT NULL", "s.province_raw IS NOT NULL"),
    ("primary_contact", 0.25, "p.org_id IS NOT NULL", "c.org_id IS NOT NULL"),
)


def score_organisations(con: Any, organisations: Any, contacts: Any, staged: Any) -> Any:
    """Return ``organisations`` (Arrow) with ``data_quality_score`` and ``data_quality_flags``,
    in its own row order.

    ``staged`` is the staged organisation table the golden records came from; it tells an
    invalid value (present in a source, nothing valid survived) from a missing one.
    """
    from hotpass.duckdb_connection import ROW, with_computed_columns

    con.register("hotpass_q_contacts", contacts)
    con.register("hotpass_q_staged", staged)
    raw_any = ", ".join(f"bool_or({raw}) AS raw_{name}" for name, _, _, raw in COMPONENTS[:4])
    score = " + ".join(
        f"CASE WHEN {valid} THEN {weight!r} ELSE 0 END" for name, weight, valid, _ in COMPONENTS
    )
    flags = []
    for name, _, valid, _ in COMPONENTS[:4]:
        flags.append(
            f"CASE WHEN NOT ({valid}) THEN CASE WHEN coalesce(r.raw_{name}, false) "
            f"THEN '{name}_invalid' ELSE '{name}_missing' END END"
        )
    flags.append(
        "CASE WHEN p.org_id IS NULL THEN CASE WHEN c.org_id IS NOT NULL "
        "THEN 'primary_contact_unreachable' ELSE 'primary_contact_missing' END END"
    )
    flags.append("CASE WHEN g.do_not_contact THEN 'do_not_contact' END")
    scored = with_computed_columns(
        con,
        organisations,
        "hotpass_q_orgs",
        f"""WITH raw AS (
                SELECT g.org_id, {raw_any}
                FROM hotpass_q_orgs g, unnest(g.source_records) AS u(record_id)
                JOIN hotpass_q_staged s ON s.record_id = u.record_id
                GROUP BY g.org_id
            ), primaries AS (
                SELECT DISTINCT org_id FROM hotpass_q_contacts WHERE is_primary
            ), anyone AS (
                SELECT DISTINCT org_id FROM hotpass_q_contacts
            )
            SELECT g.{ROW}, round(CAST({score} AS DOUBLE), 4) AS data_quality_score,
                   list_filter([{', '.join(flags)}], lambda f: f IS NOT NULL)
                       AS data_quality_flags
            FROM hotpass_q_orgs g
            LEFT JOIN raw r USING (org_id)
            LEFT JOIN primaries p USING (org_id)
            LEFT JOIN anyone c USING (org_id)""",
    )
    for name in ("hotpass_q_contacts", "hotpass_q_staged"):
        con.unregister(name)
    return scored
