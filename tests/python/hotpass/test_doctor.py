import socket
from pathlib import Path

import pytest

from hotpass.doctor import CheckResult, redact_url, run_checks
from hotpass.settings import load_settings
from tests.python.hotpass.http_fakes import FakeLakeFS, FakeMLflow, serve

SECRET = "doctor-test-secret-0123456789"


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def settings_for(tmp_path: Path, **environ: str):
    return load_settings(environ={"HOTPASS_WORKSPACE": str(tmp_path / "ws"), **environ})


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_embedded_defaults_pass_and_skip_unconfigured_integrations(tmp_path):
    results = by_name(run_checks(settings_for(tmp_path)))
    assert [(name, r.status) for name, r in results.items()] == [
        ("python", "ok"),
        ("workspace", "ok"),
        ("engine", "ok"),
        ("lakefs", "skip"),
        ("store", "warn"),  # nothing published yet: a hint, not a failure
        ("mlflow", "ok"),
        ("lead_model", "skip"),
        ("lineage", "ok"),
        ("otlp", "skip"),
        ("airflow", "skip"),
    ]
    assert "hotpass refine" in (results["store"].hint or "")
    assert "hotpass model train" in (results["lead_model"].hint or "")
    assert not any(r.blocking for r in results.values())
    assert (tmp_path / "ws").is_dir()


def test_unwritable_workspace_fails_with_hint(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = by_name(run_checks(load_settings(environ={"HOTPASS_WORKSPACE": str(blocker)})))
    assert result["workspace"].blocking
    assert result["workspace"].hint is not None
    assert "HOTPASS_WORKSPACE" in result["workspace"].hint


def test_lakefs_reachable_authenticated_and_repository_found(tmp_path):
    fake = FakeLakeFS("AKTEST", SECRET, repositories={"hotpass"})
    with serve(fake) as url:
        result = by_name(
            run_checks(
                settings_for(
                    tmp_path,
                    HOTPASS_LAKEFS_ENDPOINT=url,
                    HOTPASS_LAKEFS_ACCESS_KEY_ID="AKTEST",
                    HOTPASS_LAKEFS_SECRET_ACCESS_KEY=SECRET,
                )
            )
        )["lakefs"]
    assert result.status == "ok", result.detail
    assert fake.requests == ["/api/v1/healthcheck", "/api/v1/user", "/api/v1/repositories/hotpass"]


@pytest.mark.parametrize(
    ("secret", "repositories", "expected_step", "hint_word"),
    [
        ("wrong-secret", {"hotpass"}, "authentication failed (HTTP 401", "ACCESS_KEY"),
        (SECRET, set(), "repository 'hotpass' failed (HTTP 404", "create the repository"),
    ],
)
def test_lakefs_failures_name_the_step_and_never_the_secret(
    tmp_path, secret, repositories, expected_step, hint_word
):
    fake = FakeLakeFS("AKTEST", SECRET, repositories=repositories)
    with serve(fake) as url:
        result = by_name(
            run_checks(
                settings_for(
                    tmp_path,
                    HOTPASS_LAKEFS_ENDPOINT=url,
                    HOTPASS_LAKEFS_ACCESS_KEY_ID="AKTEST",
                    HOTPASS_LAKEFS_SECRET_ACCESS_KEY=secret,
                )
            )
        )["lakefs"]
    assert result.blocking
    assert expected_step in result.detail
    assert result.hint is not None
    assert hint_word in result.hint
    assert secret not in result.detail + result.hint


def test_lakefs_unreachable_and_missing_credentials(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    unreachable = by_name(
        run_checks(
            settings_for(
                tmp_path,
                HOTPASS_LAKEFS_ENDPOINT=url,
                HOTPASS_LAKEFS_ACCESS_KEY_ID="AK",
                HOTPASS_LAKEFS_SECRET_ACCESS_KEY=SECRET,
            ),
            timeout=1,
        )
    )["lakefs"]
    assert unreachable.blocking
    assert "unreachable" in unreachable.detail
    missing = by_name(run_checks(settings_for(tmp_path, HOTPASS_LAKEFS_ENDPOINT=url)))["lakefs"]
    assert missing.blocking
    assert missing.hint is not None
    assert "HOTPASS_LAKEFS_SECRET_ACCESS_KEY" in missing.hint


def test_mlflow_http_server_health(tmp_path):
    with serve(FakeMLflow(healthy=True)) as url:
        healthy = by_name(run_checks(settings_for(tmp_path, HOTPASS_MLFLOW_TRACKING_URI=url)))
    with serve(FakeMLflow(healthy=False)) as url:
        sick = by_name(run_checks(settings_for(tmp_path, HOTPASS_MLFLOW_TRACKING_URI=url)))
    assert healthy["mlflow"].status == "ok"
    assert sick["mlflow"].blocking
    assert "HTTP 503" in sick["mlflow"].detail


def test_otlp_endpoint_must_accept_connections(tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        up = by_name(
            run_checks(
                settings_for(tmp_path, HOTPASS_TELEMETRY_OTLP_ENDPOINT=f"http://127.0.0.1:{port}")
            )
        )
    down = by_name(
        run_checks(
            settings_for(
                tmp_path, HOTPASS_TELEMETRY_OTLP_ENDPOINT=f"http://127.0.0.1:{closed_port()}"
            ),
            timeout=1,
        )
    )
    assert up["otlp"].status == "ok"
    assert down["otlp"].blocking


def test_airflow_home_states(tmp_path):
    missing = by_name(run_checks(settings_for(tmp_path, HOTPASS_AIRFLOW_HOME=str(tmp_path / "no"))))
    home = tmp_path / "airflow"
    home.mkdir()
    bare = by_name(run_checks(settings_for(tmp_path, HOTPASS_AIRFLOW_HOME=str(home))))
    (home / "airflow.cfg").write_text("[core]\n")
    ready = by_name(run_checks(settings_for(tmp_path, HOTPASS_AIRFLOW_HOME=str(home))))
    assert missing["airflow"].blocking
    assert bare["airflow"].status == "warn"
    assert not bare["airflow"].blocking
    assert ready["airflow"].status == "ok"


def test_redact_url_drops_credentials_and_query():
    shown = redact_url(f"https://user:{SECRET}@lakefs.example:8443/api?token={SECRET}")
    assert shown == "https://lakefs.example:8443/api"


def test_a_published_workspace_with_a_trained_model_reports_the_store_and_the_champion(tmp_path):
    from hotpass_train.train import train
    from tests.python.hotpass.golden_run import refine_into

    run = refine_into(tmp_path / "ws")
    settings = settings_for(tmp_path)
    train(settings)  # a challenger only: no champion yet
    results = by_name(run_checks(settings))
    assert results["store"].status == "ok"
    assert run.summary.published_ref[:12] in results["store"].detail  # type: ignore[index]
    assert results["lead_model"].status == "warn"
    assert "hotpass model promote" in (results["lead_model"].hint or "")


def test_an_unreachable_openlineage_server_fails_the_lineage_check_with_a_hint(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("OPENLINEAGE_URL", f"http://127.0.0.1:{closed_port()}")
    result = by_name(run_checks(settings_for(tmp_path)))["lineage"]
    assert result.status == "fail" and not result.blocking
    assert "OPENLINEAGE_URL" in (result.hint or "")


def test_the_spark_engine_needs_pyspark_java_and_a_reachable_master(tmp_path, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    port = closed_port()
    settings = settings_for(
        tmp_path,
        HOTPASS_ENGINE="spark",
        HOTPASS_SPARK_MASTER=f"spark://user:{SECRET}@127.0.0.1:{port}",
    )
    # hotpass.pex: no pyspark in the build
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyspark" else real_find_spec(name, *a),
    )
    engine = by_name(run_checks(settings, timeout=0.5))["engine"]
    assert (engine.status, engine.blocking) == ("fail", True)
    assert "hotpass-spark.pex" in (engine.hint or "")
    # with pyspark but a master nobody listens on
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    engine = by_name(run_checks(settings, timeout=0.5))["engine"]
    assert engine.status == "fail"
    assert f"spark://127.0.0.1:{port} unreachable" in engine.detail
    assert SECRET not in engine.detail
    local = settings_for(tmp_path, HOTPASS_ENGINE="spark")
    assert by_name(run_checks(local, timeout=0.5))["engine"].detail == "Spark, master local[2]"
