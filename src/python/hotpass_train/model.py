"""The scikit-learn side: the seeded pipeline, the grouped holdout and cross-validation, and
the metrics every model version is judged by. No MLflow here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotpass.errors import HotpassError
from hotpass.leads import CATEGORICAL, FEATURES, NUMERIC

# Each class needs this many labelled organisations outside the holdout to fit and calibrate.
MIN_PER_CLASS = 8


class NotEnoughLabels(ValueError, HotpassError):
    """Too few organisations with a known outcome to train or judge a model."""


@dataclass(frozen=True)
class Metrics:
    roc_auc: float
    pr_auc: float
    brier: float
    top_decile_lift: float
    rows: int
    positives: int

    def as_dict(self, prefix: str = "") -> dict[str, float]:
        return {f"{prefix}{name}": float(value) for name, value in vars(self).items()}


def build_pipeline(seed: int) -> Any:
    """Imputation and encoding, then a logistic regression calibrated by Platt scaling on
    internal folds (sigmoid suits the small label sets the sales history gives)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    preprocess = ColumnTransformer(
        [
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore", min_frequency=2),
                ),
                list(CATEGORICAL),
            ),
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    StandardScaler(),
                ),
                list(NUMERIC),
            ),
        ]
    )
    classifier = CalibratedClassifierCV(
        LogisticRegression(C=0.5, max_iter=2000, random_state=seed),
        method="sigmoid",
        cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=seed),
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def features_frame(leads: Any) -> Any:
    """The model's input columns, with missing text as None (what the imputer expects)."""
    frame = leads[list(FEATURES)].copy()
    for column in CATEGORICAL:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def labelled(leads: Any) -> Any:
    return leads[leads["label"].notna()].reset_index(drop=True)


def split_holdout(leads: Any, holdout_percent: int) -> tuple[Any, Any]:
    """(training, holdout) labelled rows; the holdout is the groups whose stable bucket falls
    under ``holdout_percent``, so an organisation is never in one model's training data and
    another's holdout."""
    rows = labelled(leads)
    held = rows["bucket"] < holdout_percent
    return rows[~held].reset_index(drop=True), rows[held].reset_index(drop=True)


def require_labels(rows: Any, what: str, minimum: int = MIN_PER_CLASS) -> None:
    positives = int((rows["label"] == 1).sum())
    negatives = int((rows["label"] == 0).sum())
    if positives < minimum or negatives < minimum:
        raise NotEnoughLabels(
            f"{what} has {positives} converted and {negatives} not-converted organisation(s); "
            f"at least {minimum} of each are needed. Refine more sales history (CRM statuses, "
            "order dates) first."
        )


def metrics(labels: Any, scores: Any) -> Metrics:
    """ROC-AUC, PR-AUC (average precision), Brier, and the positive rate of the top 10% by
    score over the overall positive rate (ties broken by row order)."""
    import numpy as np
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(labels, dtype=int)
    p = np.asarray(scores, dtype=float)
    if y.size == 0 or y.min() == y.max():
        raise NotEnoughLabels("the holdout needs converted and not-converted organisations")
    top = np.argsort(-p, kind="stable")[: max(1, int(np.ceil(len(p) * 0.1)))]
    return Metrics(
        roc_auc=round(float(roc_auc_score(y, p)), 6),
        pr_auc=round(float(average_precision_score(y, p)), 6),
        brier=round(float(brier_score_loss(y, p)), 6),
        top_decile_lift=round(float(y[top].mean() / y.mean()), 6),
        rows=len(y),
        positives=int(y.sum()),
    )


def cross_validate(rows: Any, seed: int, folds: int = 5) -> Metrics:
    """Out-of-fold metrics of :func:`build_pipeline` with folds that keep an organisation and
    its sites together (stratified by outcome)."""
    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    y = rows["label"].astype(int).to_numpy()
    splits = min(folds, int(y.sum()), int((1 - y).sum()))
    out_of_fold = np.zeros(len(rows))
    splitter = StratifiedGroupKFold(n_splits=splits, shuffle=True, random_state=seed)
    x = features_frame(rows)
    for train_index, test_index in splitter.split(x, y, groups=rows["group_id"]):
        fitted = build_pipeline(seed).fit(x.iloc[train_index], y[train_index])
        out_of_fold[test_index] = fitted.predict_proba(x.iloc[test_index])[:, 1]
    return metrics(y, out_of_fold)


def fit(rows: Any, seed: int) -> Any:
    return build_pipeline(seed).fit(features_frame(rows), rows["label"].astype(int).to_numpy())


def predict(model: Any, leads: Any) -> Any:
    """Probability of conversion for every row of ``leads``."""
    return model.predict_proba(features_frame(leads))[:, 1]


def baseline(training: Any, holdout: Any) -> Metrics:
    """The no-skill model: every organisation gets the training set's positive rate."""
    import numpy as np

    rate = float(training["label"].astype(int).mean())
    return metrics(holdout["label"].astype(int), np.full(len(holdout), rate))
