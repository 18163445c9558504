"""Refine scores with the champion alias; do-not-contact organisations stay off call lists."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from hotpass.cli.app import app
from hotpass.leads import lead_table
from hotpass.pipeline import refine
from hotpass.settings import Settings
from hotpass_train import model, registry
from hotpass_train.promote import promote
from hotpass_train.train import train


def test_refine_scores_with_the_champion_not_the_newest_version(
    published: tuple[Settings, list[Path]], tmp_path: Path
) -> None:
    settings, inputs = published
    champion = train(settings)
    promote(settings)
    newer = train(settings, seed=99)  # the challenger: newer, never promoted
    assert newer.version != champion.version

    messages: list[str] = []
    summary = refine(
        inputs, settings=settings, export_dir=tmp_path / "out", progress=messages.append
    )
    assert summary.status == "published" and summary.lead_model == champion.version
    assert any(f"with {champion.version} (champion)" in m for m in messages)
    organisations = pq.read_table(tmp_path / "out" / "organisations.parquet")
    rows = organisations.to_pylist()
    assert {r["lead_model_version"] for r in rows} == {champion.version}
    contacts = pq.read_table(tmp_path / "out" / "contacts.parquet")

    # The scores are the champion's predictions on the shared features, not the newer model's.
    leads = lead_table(organisations, contacts)
    fitted = registry.load(settings, registry.model_version(settings, "champion"))
    expected = dict(zip(leads["org_id"], model.predict(fitted, leads).round(6), strict=True))
    assert all(abs(r["lead_score"] - expected[r["org_id"]]) < 1e-9 for r in rows)
    dnc = [r for r in rows if r["do_not_contact"]]
    assert dnc and all(r["lead_score"] is not None and not r["in_call_list"] for r in dnc)
    assert all(r["in_call_list"] for r in rows if not r["do_not_contact"])


def test_refine_without_a_champion_says_so_and_leaves_scores_empty(
    published: tuple[Settings, list[Path]], tmp_path: Path
) -> None:
    settings, inputs = published
    train(settings)  # a challenger alone scores nothing
    messages: list[str] = []
    summary = refine(
        inputs, settings=settings, export_dir=tmp_path / "out", progress=messages.append
    )
    assert summary.lead_model is None
    assert any("no champion model yet" in m for m in messages)
    rows = pq.read_table(tmp_path / "out" / "organisations.parquet").to_pylist()
    assert all(r["lead_score"] is None and r["lead_model_version"] is None for r in rows)


def test_model_commands_train_promote_refuse_and_score(
    published: tuple[Settings, list[Path]], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    settings, _ = published
    runner = CliRunner()
    ws = ["--workspace", str(settings.workspace)]
    trained = runner.invoke(app, ["model", "train", *ws])
    assert trained.exit_code == 0, trained.output
    assert "registered as challenger" in trained.output
    assert runner.invoke(app, ["model", "promote", *ws]).exit_code == 0
    refused = runner.invoke(app, ["model", "promote", *ws])
    assert refused.exit_code == 3 and "already the champion" in refused.output

    out = tmp_path / "calls.csv"
    scored = runner.invoke(app, ["model", "score", *ws, "--out", str(out), "--top", "3"])
    assert scored.exit_code == 0, scored.output
    with out.open(newline="", encoding="utf-8") as handle:
        ranked = list(csv.DictReader(handle))
    scores = [float(r["lead_score"]) for r in ranked]
    assert scores == sorted(scores, reverse=True) and len(ranked) > 100
    assert all(r["in_call_list"] == "false" for r in ranked if r["do_not_contact"] == "true")
    assert "do-not-contact left out" in scored.output

    evaluated = runner.invoke(app, ["model", "evaluate", "champion", *ws, "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert '"pr_auc"' in evaluated.output
