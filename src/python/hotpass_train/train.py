"""The training job: published golden tables -> features -> grouped cross-validation, holdout
metrics -> a new registered version under the ``challenger`` alias.

Reads ``main`` of the versioned store (what the business sees), never a workspace export, and
records the commit it read on the MLflow run, its dataset input and the model version.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from hotpass import __version__
from hotpass.errors import HotpassError
from hotpass.settings import Settings
from hotpass_train import model, registry

Progress = Callable[[str], None]


class NothingPublished(LookupError, HotpassError):
    """The store's main holds no golden tables yet: there is nothing to learn from."""


@dataclass(frozen=True)
class TrainResult:
    version: str
    run_id: str
    store_commit: str
    seed: int
    cross_validation: dict[str, float]
    holdout: dict[str, float]
    baseline: dict[str, float]
    labelled: int
    scored_only: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def published_tables(settings: Settings) -> tuple[dict[str, Any], str]:
    """Main's golden organisations and contacts (Arrow) and the commit they were read at.

    Raises:
        NothingPublished: main has no golden organisations yet.
    """
    from hotpass.publish import DATA_PATHS, read_tables
    from hotpass.store import open_store

    store = open_store(settings)
    if DATA_PATHS["organisations"] not in store.ls("main", "golden/"):
        raise NothingPublished(
            "main has no golden organisations yet: run `hotpass refine` (and publish) first"
        )
    commit = store.resolve("main")
    return read_tables(store, commit, ("organisations", "contacts")), commit


def published_leads(settings: Settings) -> tuple[Any, str]:
    """The lead table of main's golden tables and the commit they were read at.

    Raises:
        NothingPublished: main has no golden organisations yet.
    """
    from hotpass.leads import lead_table

    tables, commit = published_tables(settings)
    return lead_table(tables["organisations"], tables["contacts"]), commit


def _store_source(settings: Settings, commit: str) -> Any:
    """The MLflow dataset source naming the store commit the training rows came from."""
    from mlflow.data.dataset_source import DatasetSource

    from hotpass.store import store_location

    class StoreCommitSource(DatasetSource):
        def __init__(self, uri: str) -> None:
            self.uri = uri

        @staticmethod
        def _get_source_type() -> str:
            return "hotpass_store"

        def load(self, **kwargs: Any) -> Any:
            raise NotImplementedError("read the commit with `hotpass version export`")

        @staticmethod
        def _can_resolve(raw_source: Any) -> bool:
            return False

        @classmethod
        def _resolve(cls, raw_source: Any) -> StoreCommitSource:
            raise NotImplementedError

        def to_dict(self) -> dict[str, Any]:
            return {"uri": self.uri}

        @classmethod
        def from_dict(cls, source_dict: dict[str, Any]) -> StoreCommitSource:
            return cls(source_dict["uri"])

    return StoreCommitSource(f"{store_location(settings)}@{commit}")


def train(
    settings: Settings,
    *,
    seed: int | None = None,
    shuffle_labels: bool = False,
    progress: Progress | None = None,
) -> TrainResult:
    """Train, evaluate and register a new version as ``challenger``; returns its numbers.

    ``shuffle_labels`` permutes the outcomes before training (y-scrambling): a sanity check
    that the promotion gate refuses a model that learned nothing.

    Raises:
        NothingPublished: nothing to train on.
        NotEnoughLabels: too few known outcomes outside the holdout.
    """
    import mlflow
    import mlflow.sklearn
    import numpy as np
    from mlflow.data.pandas_dataset import from_pandas
    from mlflow.models import infer_signature

    say = progress or (lambda _message: None)
    seed = settings.model.seed if seed is None else seed
    say("train: reading main's golden tables")
    leads, commit = published_leads(settings)
    training, holdout = model.split_holdout(leads, settings.model.holdout_percent)
    if shuffle_labels:
        permuted = np.random.default_rng(seed).permutation(training["label"].to_numpy())
        training = training.assign(label=permuted)
    model.require_labels(training, "the training set (labelled organisations outside the holdout)")
    say(f"train: {len(training)} labelled organisation(s), grouped cross-validation")
    cross = model.cross_validate(training, seed)
    fitted = model.fit(training, seed)
    held = model.metrics(holdout["label"].astype(int), model.predict(fitted, holdout))
    no_skill = model.baseline(training, holdout)

    inputs = model.features_frame(training)
    signature = infer_signature(inputs, model.predict(fitted, training))
    experiment = registry.experiment_id(settings)
    say("train: logging the run and registering the model")
    with mlflow.start_run(experiment_id=experiment, run_name=f"train-{commit[:12]}") as run:
        mlflow.log_params(
            {
                "seed": seed,
                "estimator": "logistic_regression+sigmoid_calibration",
                "features": ",".join(inputs.columns),
                "holdout_percent": settings.model.holdout_percent,
                "training_rows": len(training),
                "training_positive_rate": round(float(training["label"].mean()), 6),
                "shuffle_labels": shuffle_labels,
                "store_commit": commit,
            }
        )
        mlflow.log_metrics(
            {**cross.as_dict("cv_"), **held.as_dict("holdout_"), **no_skill.as_dict("baseline_")}
        )
        mlflow.set_tags({"hotpass.store_commit": commit, "hotpass.version": __version__})
        # MLflow hints that integer columns cannot hold nulls at inference time; the model's
        # inputs are all floats or text (features_frame) and the label never reaches serving.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Hint: Inferred schema contains integer")
            dataset = from_pandas(
                training.drop(columns=["org_id", "group_id", "bucket"]),
                source=_store_source(settings, commit),
                name="golden_organisations_labelled",
                targets="label",
            )
            mlflow.log_input(dataset, context="training")
            logged = mlflow.sklearn.log_model(
                fitted,
                name="model",
                signature=signature,
                input_example=inputs.head(5),
                registered_model_name=registry.MODEL_NAME,
                serialization_format="skops",
                skops_trusted_types=_trusted_types(),
                pip_requirements=[f"scikit-learn=={_sklearn_version()}"],
            )
    version = str(logged.registered_model_version)
    tracking = registry.client(settings)
    tracking.set_model_version_tag(registry.MODEL_NAME, version, "store_commit", commit)
    tracking.set_registered_model_alias(registry.MODEL_NAME, registry.CHALLENGER, version)
    say(f"train: {registry.MODEL_NAME}/{version} is the challenger")
    return TrainResult(
        version=f"{registry.MODEL_NAME}/{version}",
        run_id=run.info.run_id,
        store_commit=commit,
        seed=seed,
        cross_validation=cross.as_dict(),
        holdout=held.as_dict(),
        baseline=no_skill.as_dict(),
        labelled=len(training) + len(holdout),
        scored_only=int(leads["label"].isna().sum()),
    )


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


def _trusted_types() -> list[str]:
    """Types skops may load back from our own pipeline (nothing else is unpickled)."""
    return [
        "numpy.dtype",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.model_selection._split.StratifiedKFold",
    ]
