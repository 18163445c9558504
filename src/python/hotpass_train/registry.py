"""MLflow wiring: where runs and models live, and the registered model's aliases.

Aliases, not the deprecated stages: a trained version becomes ``challenger``; only the
promotion gate moves ``champion``. With the embedded default (SQLite under the workspace) the
artefacts go to ``<workspace>/mlartifacts``; a configured tracking URI keeps its server's.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from hotpass.errors import HotpassError
from hotpass.settings import Settings

MODEL_NAME = "hotpass-lead-score"
EXPERIMENT = "hotpass-lead-score"
CHALLENGER = "challenger"
CHAMPION = "champion"


class ModelNotFound(LookupError, HotpassError):
    """No registered version answers to the alias or number asked for."""


def registry_exists(settings: Settings) -> bool:
    """False when the embedded registry was never created (checked without importing MLflow,
    so a refine in a workspace that never trained a model stays fast)."""
    if settings.mlflow.tracking_uri:
        return True
    return (settings.workspace / "mlflow.db").exists()


def client(settings: Settings) -> Any:
    """An MLflow client on the workspace's tracking URI (quiet: no schema-migration chatter,
    and MLflow's own usage telemetry off: nothing leaves the machine unless configured to)."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow
    from mlflow import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings.workspace.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    mlflow.set_registry_uri(settings.mlflow_tracking_uri)
    return MlflowClient(settings.mlflow_tracking_uri, settings.mlflow_tracking_uri)


def experiment_id(settings: Settings) -> str:
    tracking = client(settings)
    found = tracking.get_experiment_by_name(EXPERIMENT)
    if found is not None:
        return str(found.experiment_id)
    location = None
    if not settings.mlflow.tracking_uri:
        location = Path(settings.workspace / "mlartifacts").resolve().as_uri()
    return str(tracking.create_experiment(EXPERIMENT, artifact_location=location))


def version_by_alias(settings: Settings, alias: str) -> Any | None:
    """The model version behind ``alias``, or None when the alias (or the model) is unset."""
    from mlflow.exceptions import MlflowException

    if not registry_exists(settings):
        return None
    try:
        return client(settings).get_model_version_by_alias(MODEL_NAME, alias)
    except MlflowException:
        return None


def model_version(settings: Settings, ref: str) -> Any:
    """A version by alias (``champion``, ``challenger``) or number.

    Raises:
        ModelNotFound: nothing registered answers to ``ref``.
    """
    from mlflow.exceptions import MlflowException

    if ref.isdigit():
        try:
            return client(settings).get_model_version(MODEL_NAME, ref)
        except MlflowException:
            raise ModelNotFound(f"{MODEL_NAME} has no version {ref}") from None
    found = version_by_alias(settings, ref)
    if found is None:
        raise ModelNotFound(
            f"{MODEL_NAME} has no '{ref}' version yet: run `hotpass model train` first"
            + (" and `hotpass model promote`" if ref == CHAMPION else "")
        )
    return found


def load(settings: Settings, version: Any) -> Any:
    """The fitted scikit-learn pipeline of a registered version (by its number, so a
    promotion during a run cannot swap the model half-way)."""
    import mlflow.sklearn

    client(settings)
    return mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{version.version}")


def version_label(version: Any) -> str:
    return f"{MODEL_NAME}/{version.version}"
