"""Lead features and outcome labels from the golden tables: one function for training and
scoring, so a model never sees a feature computed differently from the one it was trained on.

Label: an organisation *converted* when it has an order (``last_order_date``) or a client
status in the CRM (``Active``, ``Client``, ``Customer``); any other CRM status (``Prospect``,
``NTC``, ``DNC``, ...) is a recorded non-conversion; no CRM status and no order means not yet
contacted: unlabelled, only scored. Nothing the label is made of is a feature.

Recency is measured against the newest outreach date in the same table (the data's own "now"),
so the same published data always gives the same features, whatever day they are computed.
"""

from __future__ import annotations

from typing import Any

from hotpass.survive import SENIORITY

CLIENT_STATUSES = ("active", "client", "customer")
CATEGORICAL = ("category", "org_type", "province", "distance_bucket")
NUMERIC = (
    "planes",
    "emails",
    "phones",
    "contacts",
    "contacts_reachable",
    "primary_seniority",
    "invalid_channels",
    "sources",
    "days_since_outreach",
    "data_quality_score",
)
FEATURES = CATEGORICAL + NUMERIC


def lead_table(organisations: Any, contacts: Any) -> Any:
    """One row per golden organisation: ``org_id``, ``group_id`` (an organisation and its
    sites share one, for grouped cross-validation), ``bucket`` (0-99, a stable hash of the
    group: the holdout is chosen by it, so every model version meets the same holdout),
    ``do_not_contact``, ``label`` (1, 0 or
    null) and the :data:`FEATURES`. Arrow tables in, a pandas DataFrame out, in org_id order.
    """
    from hotpass.duckdb_connection import quiet_duckdb

    con = quiet_duckdb()
    try:
        con.register("hotpass_l_orgs", organisations)
        con.register("hotpass_l_contacts", contacts)
        clients = ", ".join(f"'{status}'" for status in CLIENT_STATUSES)
        return con.sql(
            f"""WITH people AS (
                    SELECT org_id, count(*) AS contacts,
                           count(*) FILTER (WHERE email IS NOT NULL OR phone IS NOT NULL)
                               AS contacts_reachable,
                           min({SENIORITY}) FILTER (WHERE is_primary) AS primary_seniority
                    FROM hotpass_l_contacts GROUP BY org_id
                ), now AS (SELECT max(last_interaction_date) AS today FROM hotpass_l_orgs)
                SELECT o.org_id, coalesce(o.parent_org_id, o.org_id) AS group_id,
                    CAST(md5_number(coalesce(o.parent_org_id, o.org_id)) % 100 AS INTEGER)
                        AS bucket,
                    o.do_not_contact,
                    CASE WHEN o.last_order_date IS NOT NULL
                              OR lower(trim(o.crm_status)) IN ({clients}) THEN 1
                         WHEN o.crm_status IS NOT NULL THEN 0 END AS label,
                    lower(trim(o.category)) AS category,
                    lower(regexp_replace(o.org_type, '[^A-Za-z]+', ' ', 'g')) AS org_type,
                    o.province, o.distance_bucket,
                    CAST(list_max(list_transform(o.planes, lambda p: TRY_CAST(p AS DOUBLE)))
                         AS DOUBLE) AS planes,
                    CAST(len(o.emails) AS DOUBLE) AS emails,
                    CAST(len(o.phones) AS DOUBLE) AS phones,
                    CAST(coalesce(p.contacts, 0) AS DOUBLE) AS contacts,
                    CAST(coalesce(p.contacts_reachable, 0) AS DOUBLE) AS contacts_reachable,
                    CAST(coalesce(p.primary_seniority, 5) AS DOUBLE) AS primary_seniority,
                    CAST(len(list_filter(o.data_quality_flags,
                                         lambda f: f LIKE '%_invalid')) AS DOUBLE)
                        AS invalid_channels,
                    CAST(len(list_distinct(list_transform(o.source_records,
                                                          lambda r: split_part(r, '::', 1))))
                         AS DOUBLE) AS sources,
                    CAST(date_diff('day', o.last_interaction_date, now.today) AS DOUBLE)
                        AS days_since_outreach,
                    o.data_quality_score
                FROM hotpass_l_orgs o CROSS JOIN now
                LEFT JOIN people p ON p.org_id = o.org_id
                ORDER BY o.org_id"""
        ).df()
    finally:
        con.close()


def with_lead_scores(organisations: Any, scores: Any | None, model_version: str | None) -> Any:
    """``organisations`` (Arrow) with ``lead_score``, ``lead_model_version`` and
    ``in_call_list``. ``scores``: an Arrow table of ``org_id``, ``lead_score`` from the
    champion, or None when there is none. Do-not-contact organisations keep their score (the
    team sees why they would have been called) but never enter the call list.
    """
    import pyarrow as pa

    from hotpass.duckdb_connection import ROW, quiet_duckdb, with_computed_columns

    if scores is None:
        scores = pa.table(
            {"org_id": pa.array([], pa.string()), "lead_score": pa.array([], pa.float64())}
        )
    con = quiet_duckdb()
    try:
        con.register("hotpass_l_scores", scores)
        return with_computed_columns(
            con,
            organisations,
            "hotpass_l_orgs",
            f"""SELECT o.{ROW}, round(s.lead_score, 6) AS lead_score,
                      CASE WHEN s.lead_score IS NOT NULL THEN $version END AS lead_model_version,
                      NOT o.do_not_contact AS in_call_list
               FROM hotpass_l_orgs o LEFT JOIN hotpass_l_scores s USING (org_id)""",
            params={"version": model_version},
        )
    finally:
        con.close()
