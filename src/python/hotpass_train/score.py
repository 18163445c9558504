"""Scoring with the champion: for a refine run (in the pipeline's lead stage) and for
``hotpass model score`` over the published tables."""

from __future__ import annotations

from typing import Any

from hotpass.settings import Settings
from hotpass_train import model, registry


def champion_version(settings: Settings) -> str | None:
    """``hotpass-lead-score/<n>`` behind the champion alias, or None (no MLflow import when no
    registry exists)."""
    found = registry.version_by_alias(settings, registry.CHAMPION)
    return registry.version_label(found) if found is not None else None


def score_leads(settings: Settings, leads: Any, version: str) -> Any:
    """An Arrow table of ``org_id`` and ``lead_score`` from model ``version``
    (``hotpass-lead-score/<n>``) for every row of ``leads`` (:func:`hotpass.leads.lead_table`)."""
    import pyarrow as pa

    found = registry.model_version(settings, version.rsplit("/", 1)[-1])
    fitted = registry.load(settings, found)
    return pa.table(
        {
            "org_id": pa.array(leads["org_id"].tolist(), pa.string()),
            "lead_score": pa.array(model.predict(fitted, leads), pa.float64()),
        }
    )


def scored_organisations(
    settings: Settings, organisations: Any, contacts: Any, version: str
) -> Any:
    """``organisations`` (Arrow, without lead columns) with model ``version``'s
    ``lead_score``, ``lead_model_version`` and ``in_call_list``: the refine's lead stage and
    ``hotpass model score`` both go through here."""
    from hotpass.leads import lead_table, with_lead_scores

    scores = score_leads(settings, lead_table(organisations, contacts), version)
    return with_lead_scores(organisations, scores, version)


def call_list(settings: Settings, ref: str = registry.CHAMPION) -> tuple[Any, str, str]:
    """Main's organisations ranked by model ``ref`` (default the champion): ``rank``,
    ``org_id``, ``display_name``, ``province``, ``category``, ``lead_score``,
    ``do_not_contact``, ``in_call_list``. Returns (Arrow table, model version, store commit).
    Do-not-contact organisations are ranked like the rest but ``in_call_list`` is false.
    """
    from hotpass.duckdb_connection import quiet_duckdb
    from hotpass_train.train import published_tables

    version = registry.version_label(registry.model_version(settings, ref))
    tables, commit = published_tables(settings)
    organisations = tables["organisations"].drop_columns(
        ["lead_score", "lead_model_version", "in_call_list"]
    )
    scored = scored_organisations(settings, organisations, tables["contacts"], version)
    con = quiet_duckdb()
    try:
        con.register("hotpass_scored", scored)
        ranked = con.sql(
            """SELECT row_number() OVER (ORDER BY lead_score DESC, org_id) AS rank, org_id,
                      display_name, province, category, lead_score, do_not_contact,
                      in_call_list
               FROM hotpass_scored ORDER BY rank"""
        ).to_arrow_table()
    finally:
        con.close()
    return ranked, version, commit
