"""Health checks for a Hotpass installation: interpreter, workspace and configured integrations.

Each check returns one :class:`CheckResult` with a one-line remediation hint when it fails.
Integrations that are not configured are skipped: the embedded defaults need no server.
Output never contains secrets: URLs are shown without user-info or query strings, and
credentials are reported only as set or missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from hotpass.settings import Settings
from hotpass.telemetry import otlp_endpoint

Status = Literal["ok", "warn", "fail", "skip"]
MIN_PYTHON = (3, 11)
HTTP_OK = 200


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check. Only ``fail`` on a required check makes the doctor fail."""

    name: str
    status: Status
    detail: str
    hint: str | None = None
    required: bool = True

    @property
    def blocking(self) -> bool:
        return self.required and self.status == "fail"


def redact_url(url: str) -> str:
    """Drop user-info, query and fragment so a URL can be shown without leaking credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def run_checks(settings: Settings, *, timeout: float = 3.0) -> list[CheckResult]:
    """Run every check in a fixed order and return all results (no early exit)."""
    checks: list[Callable[[], CheckResult]] = [
        _check_python,
        lambda: _check_workspace(settings.workspace),
        lambda: _check_engine(settings, timeout),
        lambda: _check_lakefs(settings, timeout),
        lambda: _check_store(settings),
        lambda: _check_mlflow(settings, timeout),
        lambda: _check_lead_model(settings),
        lambda: _check_lineage(settings, timeout),
        lambda: _check_otlp(otlp_endpoint(settings), timeout),
        lambda: _check_airflow_home(settings.airflow.home),
    ]
    return [check() for check in checks]


def _check_python() -> CheckResult:
    version = ".".join(str(part) for part in sys.version_info[:3])
    if sys.version_info[:2] >= MIN_PYTHON:
        return CheckResult("python", "ok", f"CPython {version}")
    return CheckResult(
        "python",
        "fail",
        f"CPython {version} is older than {MIN_PYTHON[0]}.{MIN_PYTHON[1]}",
        hint="run Hotpass with Python 3.11 (the ./hotpass launcher picks it)",
    )


def _check_workspace(workspace: Path) -> CheckResult:
    hint = "set HOTPASS_WORKSPACE (or --workspace) to a directory you can write to"
    try:
        workspace.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=workspace, prefix=".doctor-"):
            pass
    except OSError as exc:
        detail = f"{workspace} is not writable ({exc.strerror})"
        return CheckResult("workspace", "fail", detail, hint)
    return CheckResult("workspace", "ok", f"{workspace.resolve()} is writable")


def _check_engine(settings: Settings, timeout: float) -> CheckResult:
    """DuckDB needs nothing; Spark needs pyspark in this build, Java, and a reachable master
    (checked without starting Spark, which takes seconds)."""
    if settings.engine == "duckdb":
        return CheckResult(
            "engine", "ok", f"DuckDB in process, {settings.engine_memory_mb} MB before spilling"
        )
    master = settings.spark.master
    # local[N] and yarn are names; spark:// and k8s://https://... are URLs (shown redacted).
    inner = master.removeprefix("k8s://")
    shown = master[: len(master) - len(inner)] + (redact_url(inner) if "://" in inner else inner)
    if importlib.util.find_spec("pyspark") is None:
        return CheckResult(
            "engine",
            "fail",
            "engine = spark but this build has no pyspark",
            hint="run hotpass-spark.pex (./pants package src/python/hotpass:hotpass-spark)",
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return CheckResult(
            "engine",
            "fail",
            "engine = spark but no Java (java on PATH or JAVA_HOME)",
            hint="install Java 17 (Debian: openjdk-17-jre-headless)",
        )
    if master.startswith("spark://"):
        problem = _unreachable(master, 7077, timeout)
        if problem:
            return CheckResult(
                "engine",
                "fail",
                f"Spark master {shown} {problem}",
                hint="check spark.master (HOTPASS_SPARK_MASTER) and that the master is up",
            )
    return CheckResult("engine", "ok", f"Spark, master {shown}")


def _check_lakefs(settings: Settings, timeout: float) -> CheckResult:
    lakefs = settings.lakefs
    if not lakefs.endpoint:
        return CheckResult(
            "lakefs", "skip", "not configured: the embedded local store is used", required=False
        )
    shown = redact_url(lakefs.endpoint)
    if not lakefs.access_key_id or lakefs.secret_access_key is None:
        missing = [
            var
            for var, value in (
                ("HOTPASS_LAKEFS_ACCESS_KEY_ID", lakefs.access_key_id),
                ("HOTPASS_LAKEFS_SECRET_ACCESS_KEY", lakefs.secret_access_key),
            )
            if not value
        ]
        return CheckResult(
            "lakefs",
            "fail",
            f"{shown}: credentials missing",
            hint=f"set {' and '.join(missing)} (or the [lakefs] section of hotpass.toml)",
        )
    # Imported here: the SDK costs ~0.7 s and only this check needs it.
    from lakefs_sdk.api.auth_api import AuthApi
    from lakefs_sdk.api.health_check_api import HealthCheckApi
    from lakefs_sdk.api.repositories_api import RepositoriesApi
    from lakefs_sdk.api_client import ApiClient
    from lakefs_sdk.configuration import Configuration
    from lakefs_sdk.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    host = lakefs.endpoint.rstrip("/")
    if not host.endswith("/api/v1"):
        host = f"{host}/api/v1"
    config = Configuration(
        host=host,
        username=lakefs.access_key_id,
        password=lakefs.secret_access_key.get_secret_value(),
    )
    step = "health check"
    try:
        with ApiClient(config) as client:
            HealthCheckApi(client).health_check(_request_timeout=timeout)
            step = "authentication"
            AuthApi(client).get_current_user(_request_timeout=timeout)
            step = f"repository {lakefs.repository!r}"
            RepositoriesApi(client).get_repository(lakefs.repository, _request_timeout=timeout)
    except ApiException as exc:
        hints = {
            "authentication": (
                "check HOTPASS_LAKEFS_ACCESS_KEY_ID and HOTPASS_LAKEFS_SECRET_ACCESS_KEY"
            ),
            f"repository {lakefs.repository!r}": (
                f"create the repository {lakefs.repository!r} in lakeFS or set "
                "HOTPASS_LAKEFS_REPOSITORY"
            ),
        }
        return CheckResult(
            "lakefs",
            "fail",
            f"{shown}: {step} failed (HTTP {exc.status} {exc.reason})",
            hints.get(step, "check that the endpoint is a lakeFS server"),
        )
    except (HTTPError, OSError) as exc:
        return CheckResult(
            "lakefs",
            "fail",
            f"{shown}: unreachable ({type(exc).__name__})",
            hint="start lakeFS or fix HOTPASS_LAKEFS_ENDPOINT",
        )
    return CheckResult("lakefs", "ok", f"{shown}: reachable, authenticated, repository found")


def _check_mlflow(settings: Settings, timeout: float) -> CheckResult:
    uri = settings.mlflow_tracking_uri
    scheme = urlsplit(uri).scheme
    if scheme in {"http", "https"}:
        shown = redact_url(uri)
        health = f"{uri.rstrip('/')}/health"
        try:
            # http(s) only (checked above).
            opened = urllib.request.urlopen(health, timeout=timeout)  # noqa: S310  # nosec B310
            with opened as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            return CheckResult(
                "mlflow",
                "fail",
                f"{shown}: unreachable ({type(exc).__name__})",
                hint="start the MLflow tracking server or fix HOTPASS_MLFLOW_TRACKING_URI",
            )
        if status == HTTP_OK:
            return CheckResult("mlflow", "ok", f"{shown}: healthy")
        return CheckResult(
            "mlflow",
            "fail",
            f"{shown}: /health answered HTTP {status}",
            hint="check that HOTPASS_MLFLOW_TRACKING_URI points at an MLflow tracking server",
        )
    if scheme == "sqlite" or scheme in {"file", ""}:
        path = Path(urlsplit(uri).path) if scheme else Path(uri)
        directory = path.parent if scheme == "sqlite" else path
        result = _check_workspace(directory)
        if result.status == "fail":
            return CheckResult(
                "mlflow",
                "fail",
                f"{uri}: {result.detail}",
                hint="point HOTPASS_MLFLOW_TRACKING_URI at a writable location",
            )
        return CheckResult("mlflow", "ok", f"{uri}: store location writable")
    return CheckResult(
        "mlflow", "warn", f"{redact_url(uri)}: scheme {scheme!r} not checked", required=False
    )


def _check_store(settings: Settings) -> CheckResult:
    """The embedded store: present, readable, and what main holds."""
    if settings.lakefs.endpoint:
        return CheckResult("store", "skip", "lakeFS is the store (see lakefs)", required=False)
    from hotpass.publish import DATA_PATHS
    from hotpass.store import LocalStore, StoreError

    root = settings.workspace / "store"
    if not root.exists():
        return CheckResult(
            "store",
            "warn",
            f"no store in {settings.workspace} yet: nothing published",
            hint="run 'hotpass refine INPUTS' (or 'hotpass init' for a sample workspace)",
            required=False,
        )
    try:
        store = LocalStore(root)
        main = store.resolve("main")
        published = DATA_PATHS["organisations"] in store.ls("main", "golden/")
    except (StoreError, OSError) as exc:
        return CheckResult(
            "store",
            "fail",
            f"{root}: unreadable ({type(exc).__name__})",
            hint="check the folder's permissions; 'hotpass version log' shows what is there",
        )
    if not published:
        return CheckResult(
            "store",
            "warn",
            f"{root}: main at {main[:12]} has no golden tables",
            hint="run 'hotpass refine INPUTS'; a blocked run leaves main as it was",
            required=False,
        )
    return CheckResult("store", "ok", f"{root}: main at {main[:12]} holds published tables")


def _check_lead_model(settings: Settings) -> CheckResult:
    """Whether refine will score leads: a champion in the registry."""
    from hotpass_train.registry import registry_exists

    if not registry_exists(settings):
        return CheckResult(
            "lead_model",
            "skip",
            "no model trained: refine leaves lead_score empty",
            hint="hotpass model train, then hotpass model promote",
            required=False,
        )
    try:
        from hotpass_train.score import champion_version

        champion = champion_version(settings)
    except Exception as exc:  # any registry failure is reported, never raised
        return CheckResult(
            "lead_model",
            "fail",
            f"registry unreadable ({type(exc).__name__})",
            hint="check HOTPASS_MLFLOW_TRACKING_URI and that the MLflow server is up",
            required=False,
        )
    if champion is None:
        return CheckResult(
            "lead_model",
            "warn",
            "no champion: refine leaves lead_score empty",
            hint="hotpass model evaluate, then hotpass model promote",
            required=False,
        )
    return CheckResult("lead_model", "ok", f"champion {champion} scores refined organisations")


def _check_lineage(settings: Settings, timeout: float) -> CheckResult:
    """Events always go to the workspace file; also to OPENLINEAGE_URL when set."""
    import os

    from hotpass.lineage import events_path

    target = events_path(settings).parent
    writable = _check_workspace(target)
    if writable.status == "fail":
        return CheckResult(
            "lineage", "fail", writable.detail, hint="make the workspace's lineage/ writable"
        )
    url = os.environ.get("OPENLINEAGE_URL")
    if not url:
        return CheckResult("lineage", "ok", f"events to {events_path(settings)}")
    shown = redact_url(url)
    failure = _unreachable(url, 80, timeout)
    if failure:
        return CheckResult(
            "lineage",
            "fail",
            f"{shown}: {failure}",
            hint="start Marquez (or your OpenLineage backend) or unset OPENLINEAGE_URL",
            required=False,
        )
    return CheckResult("lineage", "ok", f"events to {events_path(settings)} and {shown}")


def _unreachable(url: str, default_port: int, timeout: float) -> str | None:
    """Why a TCP connection to ``url``'s host fails, or None when it connects."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else default_port)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return None
    except OSError as exc:
        return f"unreachable ({exc.strerror or type(exc).__name__})"


def _check_otlp(endpoint: str | None, timeout: float) -> CheckResult:
    if not endpoint:
        return CheckResult(
            "otlp", "skip", "not configured: telemetry is not exported", required=False
        )
    parts = urlsplit(endpoint)
    shown = redact_url(endpoint)
    if not parts.hostname:
        return CheckResult(
            "otlp",
            "fail",
            f"{shown}: not a URL",
            hint="set OTEL_EXPORTER_OTLP_ENDPOINT (or HOTPASS_TELEMETRY_OTLP_ENDPOINT) like "
            "http://127.0.0.1:4318",
        )
    failure = _unreachable(endpoint, 4318, timeout)
    if failure:
        return CheckResult(
            "otlp",
            "fail",
            f"{shown}: {failure}",
            hint="start the OpenTelemetry collector or unset OTEL_EXPORTER_OTLP_ENDPOINT / "
            "HOTPASS_TELEMETRY_OTLP_ENDPOINT",
        )
    return CheckResult("otlp", "ok", f"{shown}: accepting connections")


def _check_airflow_home(home: Path | None) -> CheckResult:
    if home is None:
        return CheckResult(
            "airflow", "skip", "not configured: runs happen in-process", required=False
        )
    if not home.is_dir():
        return CheckResult(
            "airflow",
            "fail",
            f"{home} does not exist",
            hint=f"create it and run 'AIRFLOW_HOME={home} airflow db migrate'",
        )
    writable = _check_workspace(home)
    if writable.status == "fail":
        return CheckResult("airflow", "fail", writable.detail, "make the Airflow home writable")
    if not (home / "airflow.cfg").is_file():
        return CheckResult(
            "airflow",
            "warn",
            f"{home} has no airflow.cfg",
            hint=f"run 'AIRFLOW_HOME={home} airflow db migrate'",
        )
    return CheckResult("airflow", "ok", f"{home} is an Airflow home")
