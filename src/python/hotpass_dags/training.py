"""``hotpass_train``: the weekly lead-model retrain - train a challenger on main's golden
tables, then the promotion gate. Each task is one library call (:mod:`hotpass_train.job`);
a refused promotion is a normal outcome (the task succeeds and returns the numbers).

Settings come from the workers' environment (``HOTPASS_WORKSPACE``, ``HOTPASS_MLFLOW_*``,
``HOTPASS_MODEL_*``), read at parse time without touching the registry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG, Asset, task

from hotpass.settings import load_settings

_settings = load_settings()
ORGANISATIONS = Asset(
    name="hotpass_organisations",
    uri=f"file://{(_settings.workspace / 'store').resolve()}/main/golden/organisations.parquet",
)
MODEL = Asset(name="hotpass_lead_model", uri="models:/hotpass-lead-score")

with DAG(
    dag_id="hotpass_train",
    description="Retrain the lead-scoring model weekly and promote it only through the gate",
    schedule="@weekly",
    start_date=datetime.combine(_settings.airflow.start_date, datetime.min.time()),
    catchup=False,  # a retrain learns from the latest published data; old weeks add nothing
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["hotpass"],
) as dag:

    @task(inlets=[ORGANISATIONS], outlets=[MODEL])
    def train() -> dict[str, Any]:
        """Train on main and register the new version as challenger."""
        from hotpass_train.job import train_step

        return train_step(load_settings())

    @task(inlets=[MODEL], outlets=[MODEL])
    def promote() -> dict[str, Any]:
        """Challenger -> champion only if it beats the bar; the decision either way."""
        from hotpass_train.job import promote_step

        return promote_step(load_settings())

    train() >> promote()
