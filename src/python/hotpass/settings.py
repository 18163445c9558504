"""One frozen settings model for the whole product, with one documented precedence.

Precedence, highest first: keyword overrides (CLI options) > ``HOTPASS_*`` environment
variables > lakectl's ``LAKECTL_*`` variables (lakeFS endpoint and credentials) > the TOML
settings file > defaults. Nothing is read from the environment at import
time; :func:`load_settings` reads it when called.

The file is ``hotpass.toml`` in the current directory, or the path in ``HOTPASS_CONFIG``, or
the ``config_file`` argument. Sections map onto the nested models::

    workspace = ".hotpass"

    [lakefs]
    endpoint = "http://127.0.0.1:8000"
    repository = "hotpass"

Each field has one environment variable: ``HOTPASS_WORKSPACE`` for top-level fields,
``HOTPASS_<SECTION>_<FIELD>`` for section fields (``HOTPASS_LAKEFS_ENDPOINT``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from hotpass.errors import SettingsError

DEFAULT_CONFIG_FILE = Path("hotpass.toml")
CONFIG_FILE_ENV = "HOTPASS_CONFIG"
ENV_PREFIX = "HOTPASS_"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LakeFSSettings(_Section):
    """A lakeFS server; unset ``endpoint`` means the embedded local store is used."""

    endpoint: str | None = Field(
        default=None, description="lakeFS server; unset means the embedded local store"
    )
    access_key_id: str | None = Field(default=None, description="lakeFS access key id")
    secret_access_key: SecretStr | None = Field(
        default=None, description="lakeFS secret (never printed)"
    )
    repository: str = Field(default="hotpass", description="lakeFS repository")
    storage_namespace: str | None = Field(
        default=None,
        description="where a repository Hotpass creates keeps its data (s3://bucket/prefix); "
        "unset means the repository must exist",
    )


class MLflowSettings(_Section):
    """MLflow tracking; unset means SQLite under the workspace."""

    tracking_uri: str | None = Field(
        default=None,
        description="MLflow tracking and registry URI; unset means sqlite:///<workspace>/mlflow.db",
    )


class ModelSettings(_Section):
    """The lead-scoring model: training seed, holdout and the promotion gate's margins."""

    seed: int = Field(default=7, description="random seed of lead-model training")
    holdout_percent: int = Field(
        default=25,
        ge=5,
        le=50,
        description="share of organisation groups (stable hash buckets) never trained on",
    )
    promotion_margin: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="holdout PR-AUC a challenger must gain over the champion (or no-skill "
        "baseline)",
    )
    min_skill: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="cross-validated PR-AUC a challenger must gain over its training positive "
        "rate",
    )
    train_command: str | None = Field(
        default=None,
        description="how the hotpass_train DAG runs training (e.g. /opt/hotpass-train.pex, "
        "given --workspace); unset means in the worker's process",
    )


class TelemetrySettings(_Section):
    """OpenTelemetry export; unset means no-op (``OTEL_EXPORTER_OTLP_ENDPOINT`` also enables
    OTLP)."""

    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector for spans and metrics; unset means "
        "OTEL_EXPORTER_OTLP_ENDPOINT, else no export",
    )
    console: bool = Field(default=False, description="print every span to stderr")


class AirflowSettings(_Section):
    """The Airflow home the DAGs are deployed to; unset means Airflow is not used here."""

    home: Path | None = Field(default=None, description="Airflow home the DAGs deploy to")
    start_date: date = Field(
        default=date(2026, 1, 1),
        description="first day the daily hotpass_refine DAG covers (catch-up runs every day "
        "since)",
    )
    end_date: date | None = Field(
        default=None, description="last day it covers; unset means no end"
    )
    command: str = Field(
        default="airflow",
        description="Airflow's command line for hotpass backfill --airflow (may be several "
        "words: python -m airflow)",
    )


class SparkSettings(_Section):
    """Apache Spark, used when ``engine = "spark"`` (hotpass-spark.pex). Anything else Spark
    takes (memory, executors, ``spark.checkpoint.dir`` on a cluster) comes from
    ``$SPARK_CONF_DIR/spark-defaults.conf``."""

    master: str = Field(
        default="local[2]",
        description="Spark master: local[N] runs in this process's machine; spark://host:7077, "
        "yarn or k8s://... a cluster",
    )
    python: str | None = Field(
        default=None,
        description="the executors' Python (on a cluster: ./hotpass-spark.pex shipped with "
        "spark.files); unset means this process's interpreter and path",
    )


class Settings(_Section):
    """Everything a Hotpass run may be configured with."""

    workspace: Path = Field(
        default=Path(".hotpass"),
        description="where runs keep state (store, DuckDB spill, MLflow SQLite, reports)",
    )
    landing: Path | None = Field(
        default=None,
        description="dated landing area (dt=YYYY-MM-DD/ folders); unset means "
        "<workspace>/landing",
    )
    max_input_mb: int = Field(
        default=512,
        ge=1,
        description="inputs above this size, or workbooks that unzip past 10x it, are refused",
    )
    stream_workbooks_above_mb: int = Field(
        default=1024,
        ge=0,
        description="workbooks that unzip past this are read a row at a time (openpyxl, "
        "about 7x slower, cells not held in memory), the rest a sheet at a time (calamine); "
        "0 reads every workbook a row at a time",
    )
    engine_memory_mb: int = Field(
        default=4096,
        ge=256,
        description="memory the query engine (DuckDB) holds before it spills to "
        "<workspace>/tmp; the run's peak is about this plus its Arrow tables",
    )
    ingest_workers: int = Field(
        default=0,
        ge=0,
        description="processes the new input files are read in at once (0: one per core); "
        "under 16 MB of new input in all, or a single file, they are read in one",
    )
    standardise_workers: int = Field(
        default=0,
        ge=0,
        description="processes the input files are standardised in (0: one per core); runs "
        "under 50,000 new rows, or whose work is one part, use one",
    )
    reuse_staged: bool = Field(
        default=True,
        description="reuse an earlier run's raw and staged rows for input files unchanged "
        "since (same name, bytes, profiles and code); false parses every input again",
    )
    reuse_golden: bool = Field(
        default=True,
        description="keep the latest run's golden rows for organisations whose records are "
        "unchanged since (same records, input files and code); false builds every one again",
    )
    reuse_scores: bool = Field(
        default=True,
        description="keep the latest run's Splink scores for pairs of records unchanged since "
        "(same features, name frequencies and model); false scores every pair again",
    )
    retrain_resolution_after: float = Field(
        default=0.25,
        ge=0,
        description="train the resolution model again once this share of the records it was "
        "trained on have been added, removed or changed since; until then each run keeps it "
        "(0: train whenever a record changed)",
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="where standardise and Splink's pair scoring run: duckdb in process, or "
        "spark (hotpass-spark.pex; see spark.master)",
    )
    lakefs: LakeFSSettings = LakeFSSettings()
    spark: SparkSettings = SparkSettings()
    mlflow: MLflowSettings = MLflowSettings()
    model: ModelSettings = ModelSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    airflow: AirflowSettings = AirflowSettings()

    @property
    def export_dir(self) -> Path:
        """Where refine publishes Parquet and reports unless told otherwise."""
        return self.workspace / "export"

    @property
    def landing_dir(self) -> Path:
        """Where scheduled runs find their inputs, one ``dt=YYYY-MM-DD`` folder per day."""
        return self.landing or self.workspace / "landing"

    def run_dir(self, run_id: str) -> Path:
        """Where one run's report, gate results and gated tables are kept."""
        return self.workspace / "runs" / run_id

    @property
    def mlflow_tracking_uri(self) -> str:
        """The configured tracking URI, or the embedded SQLite default under the workspace."""
        if self.mlflow.tracking_uri:
            return self.mlflow.tracking_uri
        return f"sqlite:///{(self.workspace / 'mlflow.db').resolve()}"


_SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation
    for name, field in Settings.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)
}


@dataclass(frozen=True)
class SettingInfo:
    """One setting as the settings file, the environment and the docs name it."""

    key: str
    env: str
    default: Any
    description: str


def describe() -> list[SettingInfo]:
    """Every setting in file order: ``hotpass init`` writes them commented, a test holds the
    settings reference to them."""
    found = []
    for name, field in Settings.model_fields.items():
        section = _SECTIONS.get(name)
        if section is None:
            found.append(
                SettingInfo(
                    name, f"{ENV_PREFIX}{name}".upper(), field.default, field.description or ""
                )
            )
            continue
        for sub, inner in section.model_fields.items():
            found.append(
                SettingInfo(
                    f"{name}.{sub}",
                    f"{ENV_PREFIX}{name}_{sub}".upper(),
                    inner.default,
                    inner.description or "",
                )
            )
    return found


def _env_values(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Collect ``HOTPASS_*`` values into the nested shape, and where each came from."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name in Settings.model_fields:
        if name in _SECTIONS:
            for sub in _SECTIONS[name].model_fields:
                var = f"{ENV_PREFIX}{name}_{sub}".upper()
                if environ.get(var, "") != "":
                    values.setdefault(name, {})[sub] = environ[var]
                    origins[f"{name}.{sub}"] = f"environment variable {var}"
        else:
            var = f"{ENV_PREFIX}{name}".upper()
            if environ.get(var, "") != "":
                values[name] = environ[var]
                origins[name] = f"environment variable {var}"
    return values, origins


# lakectl's own variables, read when the HOTPASS_LAKEFS_* ones are unset.
LAKECTL_ENV = {
    "endpoint": "LAKECTL_SERVER_ENDPOINT_URL",
    "access_key_id": "LAKECTL_CREDENTIALS_ACCESS_KEY_ID",
    "secret_access_key": "LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY",
}


def _lakectl_values(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    found = {key: environ[var] for key, var in LAKECTL_ENV.items() if environ.get(var)}
    origins = {f"lakefs.{key}": f"environment variable {LAKECTL_ENV[key]}" for key in found}
    return ({"lakefs": found} if found else {}), origins


def _file_values(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([f"{path}: not valid TOML ({exc})"]) from exc
    except OSError as exc:
        raise SettingsError([f"{path}: cannot be read ({exc.strerror})"]) from exc


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def load_settings(
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Load settings with the documented precedence.

    ``overrides`` uses the nested shape (``{"lakefs": {"endpoint": ...}}``); ``None`` values
    in it are ignored so unset CLI options do not mask lower layers.

    Raises:
        SettingsError: listing every invalid key with where its value came from.

    Example:
        >>> load_settings(environ={"HOTPASS_WORKSPACE": "/tmp/ws"}).workspace
        PosixPath('/tmp/ws')
    """
    environ = os.environ if environ is None else environ
    explicit = config_file is not None or bool(environ.get(CONFIG_FILE_ENV))
    path = config_file or Path(environ.get(CONFIG_FILE_ENV) or DEFAULT_CONFIG_FILE)
    origins: dict[str, str] = {}
    values: dict[str, Any] = {}
    if path.is_file():
        values = _file_values(path)
        origins = {key: f"settings file {path}" for key in _flat_keys(values)}
    elif explicit:
        raise SettingsError([f"{path}: settings file does not exist"])
    lakectl_values, lakectl_origins = _lakectl_values(environ)
    values = _merge(values, lakectl_values)
    origins.update(lakectl_origins)
    env_values, env_origins = _env_values(environ)
    values = _merge(values, env_values)
    origins.update(env_origins)
    clean_overrides = _drop_none(overrides or {})
    values = _merge(values, clean_overrides)
    origins.update({key: "command-line option" for key in _flat_keys(clean_overrides)})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"])
            where = origins.get(key, "settings")
            # Never echo the offending value: it may be a secret.
            problems.append(f"{key} (from {where}): {error['msg']}")
        raise SettingsError(problems) from None


def _flat_keys(values: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for key, value in values.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            keys.extend(_flat_keys(value, f"{full}."))
        else:
            keys.append(full)
    return keys


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            inner = _drop_none(value)
            if inner:
                cleaned[key] = inner
        elif value is not None:
            cleaned[key] = value
    return cleaned
