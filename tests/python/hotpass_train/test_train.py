"""Training, the registry and the promotion gate on real MLflow (SQLite in the workspace)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotpass.settings import Settings
from hotpass.store import open_store
from hotpass_train import registry
from hotpass_train.promote import PromotionRefused, decide, promote
from hotpass_train.train import NothingPublished, train


def test_same_data_and_seed_give_the_same_metrics(published: tuple[Settings, list[Path]]) -> None:
    settings, _ = published
    first, second = train(settings, seed=11), train(settings, seed=11)
    assert first.version != second.version  # two registered versions...
    assert first.cross_validation == second.cross_validation  # ...with identical numbers
    assert first.holdout == second.holdout
    other = train(settings, seed=12)
    assert other.cross_validation != first.cross_validation  # the seed is really used


def test_the_mlflow_run_records_the_store_commit_it_trained_on(
    published: tuple[Settings, list[Path]],
) -> None:
    settings, _ = published
    result = train(settings)
    main = open_store(settings).resolve("main")
    assert result.store_commit == main
    run = registry.client(settings).get_run(result.run_id)
    assert run.data.tags["hotpass.store_commit"] == main
    assert run.data.params["store_commit"] == main
    (dataset,) = run.inputs.dataset_inputs
    assert dataset.dataset.source_type == "hotpass_store"
    assert json.loads(dataset.dataset.source)["uri"].endswith(f"@{main}")
    version = registry.model_version(settings, "challenger")
    assert registry.version_label(version) == result.version
    assert version.tags["store_commit"] == main
    assert version.run_id == result.run_id
    model_info = registry.load(settings, version)
    assert hasattr(model_info, "predict_proba")


def test_a_model_trained_on_shuffled_labels_is_refused(
    published: tuple[Settings, list[Path]],
) -> None:
    settings, _ = published
    train(settings, shuffle_labels=True)
    with pytest.raises(PromotionRefused) as refused:
        promote(settings)
    decision = refused.value.decision
    assert decision.bar == "no-skill baseline"
    assert "PR-AUC" in str(refused.value)
    assert registry.version_by_alias(settings, registry.CHAMPION) is None

    real = train(settings)
    promoted = promote(settings)
    assert promoted.promoted and promoted.challenger.version == real.version
    assert promoted.challenger.holdout["pr_auc"] > promoted.bar_holdout["pr_auc"]

    train(settings, shuffle_labels=True, seed=3)
    with pytest.raises(PromotionRefused) as again:
        promote(settings)
    assert again.value.decision.bar == real.version  # judged against the champion now
    champion = registry.version_by_alias(settings, registry.CHAMPION)
    assert champion is not None and registry.version_label(champion) == real.version


def test_a_challenger_no_better_than_the_champion_is_refused(
    published: tuple[Settings, list[Path]],
) -> None:
    settings, _ = published
    train(settings)
    promote(settings)
    train(settings)  # same data, same seed: equal, so not better by the margin
    decision = decide(settings)
    assert not decision.promoted
    assert any("margin" in reason for reason in decision.reasons)


def test_training_before_anything_is_published_says_what_to_do(tmp_path: Path) -> None:
    from hotpass.settings import load_settings

    settings = load_settings(environ={}, overrides={"workspace": tmp_path / "empty"})
    with pytest.raises(NothingPublished, match="hotpass refine"):
        train(settings)
