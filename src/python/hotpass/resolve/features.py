"""Comparison features: the values resolution compares, one row per record.

The refine pipeline builds organisation features from already standardised tables in SQL.
``hotpass resolve`` on an arbitrary table normalises each compared column by its kind with the
same normalisers standardise uses (names -> match key, phones -> E.164, ...).
"""

from __future__ import annotations

from typing import Any

from hotpass.resolve.config import ResolveConfig
from hotpass.standardise.emails import GENERIC_MAIL_DOMAINS

ORGANISATION_FEATURES = "hotpass_org_features"


def _generic_domains_sql() -> str:
    return ", ".join(f"'{domain}'" for domain in sorted(GENERIC_MAIL_DOMAINS))


def organisation_features(con: Any, organisations: str, addresses: str) -> str:
    """Features of staged organisation rows (DuckDB tables); returns the features table name.

    Generic mailbox domains never become identity: only the first email at an organisation's
    own domain is compared. Directory and social websites are already NULL in
    ``website_domain`` (standardise keeps only an organisation's own registrable domain).
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {ORGANISATION_FEATURES} AS
        WITH own_mail AS (
            SELECT record_id,
                   list_filter(email_values, lambda v: v.email IS NOT NULL
                               AND NOT coalesce(v.generic_domain, false)) AS own
            FROM {organisations}
        ), first_address AS (
            SELECT org_record_id, min(lower(coalesce(text, airport))) AS address
            FROM {addresses} GROUP BY org_record_id
        )
        SELECT o.record_id AS unique_id, o.match_key, o.website_domain,
               m.own[1].email AS email, m.own[1].domain AS email_domain,
               o.phones[1] AS phone, o.province, a.address,
               upper(trim(o.amo_number)) AS registration,
               o.display_name, o.source_file
        FROM {organisations} o
        JOIN own_mail m USING (record_id)
        LEFT JOIN first_address a ON a.org_record_id = o.record_id"""
    )
    return ORGANISATION_FEATURES


def _register_normalisers(con: Any) -> None:
    from hotpass.standardise import names, phones, websites
    from hotpass.standardise.emails import normalise_email

    def website_domain(raw: str | None) -> str | None:
        parsed = websites.parse_website(raw)
        return parsed["domain"] if parsed and parsed["kind"] == "own" else None

    for name, function in (
        ("hotpass_match_key", names.match_key),
        ("hotpass_phone", phones.normalise_phone),
        ("hotpass_email", normalise_email),
        ("hotpass_website", website_domain),
    ):
        try:
            con.create_function(
                name, function, ["VARCHAR"], "VARCHAR", null_handling="special", side_effects=False
            )
        except Exception as exc:  # - already registered on this connection
            if "already" not in str(exc).lower():
                raise


def prepare_features(con: Any, source: str, config: ResolveConfig, out: str) -> None:
    """Normalise ``source``'s compared columns by kind into table ``out`` (+ ``unique_id``)."""
    _register_normalisers(con)
    selects = [f'CAST("{config.unique_id}" AS VARCHAR) AS unique_id']
    if config.source_column:
        selects.append(f'CAST("{config.source_column}" AS VARCHAR) AS source_dataset')
    for spec in config.comparisons:
        value = f"nullif(trim(CAST(\"{spec.column}\" AS VARCHAR)), '')"
        expression = {
            "name": f"hotpass_match_key({value})",
            "phone": f"hotpass_phone({value})",
            "email": f"hotpass_email({value})",
            "website": f"hotpass_website({value})",
            "postcode": f"nullif(upper(regexp_replace({value}, '\\s+', '', 'g')), '')",
            "identifier": f"nullif(upper(regexp_replace({value}, '\\s+', ' ', 'g')), '')",
            "address": f"nullif(trim(regexp_replace(lower({value}), '[^a-z0-9]+', ' ', 'g')), '')",
            "text": f"nullif(lower(regexp_replace({value}, '\\s+', ' ', 'g')), '')",
            "date": f"coalesce(CAST(try_cast({value} AS DATE) AS VARCHAR), {value})",
        }[spec.kind]
        selects.append(f'{expression} AS "{spec.column}"')
        if spec.kind == "email":
            domain = f"split_part({expression}, '@', 2)"
            selects.append(
                f"CASE WHEN {domain} IN ({_generic_domains_sql()}) THEN NULL ELSE {domain} END"
                f' AS "{spec.column}_domain"'
            )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT {', '.join(selects)} FROM {source}")
