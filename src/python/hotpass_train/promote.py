"""The promotion gate: a challenger becomes champion only when it is better on the same
holdout, and has shown skill of its own in cross-validation.

Rules (ADR 0009), all on the current published data's holdout (stable group buckets, so
no version ever trained on it):

- holdout PR-AUC >= the bar's PR-AUC + ``model.promotion_margin``;
- holdout Brier score <= the bar's (calibration no worse);
- cross-validated PR-AUC >= the training positive rate + ``model.min_skill`` (recorded at
  training): on a small holdout a lucky model can beat the bar; it cannot also predict its
  own training labels out of fold.

The bar is the champion, or with no champion the no-skill baseline: every organisation gets
the training set's positive rate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from hotpass.errors import HotpassError
from hotpass.settings import Settings
from hotpass_train import model, registry
from hotpass_train.train import published_leads


class PromotionRefused(RuntimeError, HotpassError):
    """The challenger did not clear the gate; the champion is unchanged."""

    def __init__(self, decision: Decision) -> None:
        super().__init__("; ".join(decision.reasons))
        self.decision = decision


@dataclass(frozen=True)
class Evaluation:
    version: str
    holdout: dict[str, float]
    cross_validation: dict[str, float]
    training_positive_rate: float
    store_commit: str


@dataclass(frozen=True)
class Decision:
    challenger: Evaluation
    bar: str  # a model version, or "no-skill baseline"
    bar_holdout: dict[str, float]
    promoted: bool
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(
    settings: Settings,
    ref: str = registry.CHALLENGER,
    published: tuple[Any, str] | None = None,
) -> Evaluation:
    """Metrics of version ``ref`` (alias or number) on the current holdout, with the
    cross-validated figures its training run recorded. ``published``: main's lead table and
    commit when the caller has already read them."""
    found = registry.model_version(settings, ref)
    leads, commit = published or published_leads(settings)
    training, holdout = model.split_holdout(leads, settings.model.holdout_percent)
    model.require_labels(holdout, "the holdout", minimum=1)
    fitted = registry.load(settings, found)
    held = model.metrics(holdout["label"].astype(int), model.predict(fitted, holdout))
    run = registry.client(settings).get_run(found.run_id)
    cross = {
        name.removeprefix("cv_"): value
        for name, value in run.data.metrics.items()
        if name.startswith("cv_")
    }
    return Evaluation(
        version=registry.version_label(found),
        holdout=held.as_dict(),
        cross_validation=cross,
        training_positive_rate=float(run.data.params.get("training_positive_rate", "nan")),
        store_commit=commit,
    )


def _bar(settings: Settings, published: tuple[Any, str]) -> tuple[str, dict[str, float]]:
    champion = registry.version_by_alias(settings, registry.CHAMPION)
    if champion is not None:
        judged = evaluate(settings, str(champion.version), published)
        return judged.version, judged.holdout
    leads, _ = published
    training, holdout = model.split_holdout(leads, settings.model.holdout_percent)
    return "no-skill baseline", model.baseline(training, holdout).as_dict()


def decide(settings: Settings) -> Decision:
    """Judge the challenger against the bar without changing any alias."""
    published = published_leads(settings)  # read main once for both models
    challenger = evaluate(settings, registry.CHALLENGER, published)
    bar, bar_holdout = _bar(settings, published)
    margin, skill = settings.model.promotion_margin, settings.model.min_skill
    reasons = []
    pr_auc, needed = challenger.holdout["pr_auc"], bar_holdout["pr_auc"] + margin
    if pr_auc < needed:
        reasons.append(
            f"holdout PR-AUC {pr_auc:.4f} is below {bar} {bar_holdout['pr_auc']:.4f} "
            f"+ margin {margin:g} = {needed:.4f}"
        )
    if challenger.holdout["brier"] > bar_holdout["brier"]:
        reasons.append(
            f"holdout Brier {challenger.holdout['brier']:.4f} is worse than {bar} "
            f"{bar_holdout['brier']:.4f} (calibration)"
        )
    cv_pr_auc = challenger.cross_validation.get("pr_auc", 0.0)
    floor = challenger.training_positive_rate + skill
    if not cv_pr_auc >= floor:
        reasons.append(
            f"cross-validated PR-AUC {cv_pr_auc:.4f} is below the training positive rate "
            f"{challenger.training_positive_rate:.4f} + min_skill {skill:g} = {floor:.4f}"
        )
    if challenger.version == bar:
        reasons = [f"{bar} is already the champion"]
    return Decision(challenger, bar, bar_holdout, promoted=not reasons, reasons=reasons)


def promote(settings: Settings) -> Decision:
    """Move ``champion`` to the challenger when it clears the gate.

    Raises:
        PromotionRefused: with the numbers; aliases unchanged.
        ModelNotFound: no challenger.
    """
    decision = decide(settings)
    if not decision.promoted:
        raise PromotionRefused(decision)
    version = decision.challenger.version.rsplit("/", 1)[-1]
    tracking = registry.client(settings)
    tracking.set_registered_model_alias(registry.MODEL_NAME, registry.CHAMPION, version)
    for name, value in decision.challenger.holdout.items():
        tracking.set_model_version_tag(registry.MODEL_NAME, version, f"promoted_{name}", str(value))
    tracking.set_model_version_tag(registry.MODEL_NAME, version, "promoted_over", decision.bar)
    return decision
