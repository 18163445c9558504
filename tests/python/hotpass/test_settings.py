from pathlib import Path

import pytest

from hotpass.errors import SettingsError
from hotpass.settings import load_settings


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hotpass.toml"
    path.write_text(text)
    return path


def test_defaults_apply_when_nothing_is_configured(tmp_path):
    settings = load_settings(config_file=None, environ={})
    assert settings.workspace == Path(".hotpass")
    assert settings.lakefs.endpoint is None
    assert settings.mlflow_tracking_uri.startswith("sqlite:///")
    assert settings.mlflow_tracking_uri.endswith("/.hotpass/mlflow.db")


def test_precedence_is_overrides_then_env_then_file_then_defaults(tmp_path):
    config = write_config(
        tmp_path,
        'workspace = "/from/file"\n'
        '[lakefs]\nendpoint = "http://file:8000"\nrepository = "filerepo"\n',
    )
    environ = {"HOTPASS_LAKEFS_ENDPOINT": "http://env:8000", "HOTPASS_WORKSPACE": "/from/env"}
    settings = load_settings(
        config_file=config, environ=environ, overrides={"workspace": Path("/from/arg")}
    )
    assert settings.workspace == Path("/from/arg")
    assert settings.lakefs.endpoint == "http://env:8000"
    assert settings.lakefs.repository == "filerepo"


def test_none_overrides_do_not_mask_lower_layers(tmp_path):
    settings = load_settings(
        environ={"HOTPASS_WORKSPACE": "/from/env"}, overrides={"workspace": None}
    )
    assert settings.workspace == Path("/from/env")


def test_config_file_is_found_through_env(tmp_path):
    config = write_config(tmp_path, "[mlflow]\ntracking_uri = 'http://mlflow:5000'\n")
    settings = load_settings(environ={"HOTPASS_CONFIG": str(config)})
    assert settings.mlflow_tracking_uri == "http://mlflow:5000"


def test_every_problem_is_reported_at_once_with_its_origin(tmp_path):
    config = write_config(tmp_path, "colour = 'blue'\n[lakefs]\nport = 1\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(config_file=config, environ={})
    problems = caught.value.problems
    assert len(problems) == 2
    assert any(p.startswith("colour (from settings file") for p in problems)
    assert any(p.startswith("lakefs.port (from settings file") for p in problems)


def test_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(config_file=tmp_path / "absent.toml", environ={})


def test_invalid_toml_names_the_file(tmp_path):
    config = write_config(tmp_path, "workspace = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(config_file=config, environ={})


def test_secret_never_appears_in_repr_or_errors(tmp_path):
    secret = "s3cr3t-value-for-test"
    settings = load_settings(
        environ={"HOTPASS_LAKEFS_SECRET_ACCESS_KEY": secret, "HOTPASS_LAKEFS_ACCESS_KEY_ID": "AK"}
    )
    assert secret not in repr(settings)
    assert settings.lakefs.secret_access_key is not None
    assert settings.lakefs.secret_access_key.get_secret_value() == secret
    with pytest.raises(SettingsError) as caught:
        load_settings(overrides={"lakefs": {"secret_access_key": {"nested": secret}}}, environ={})
    assert secret not in str(caught.value)


def test_settings_are_frozen():
    settings = load_settings(environ={})
    with pytest.raises(ValueError, match="frozen"):
        settings.workspace = Path("/elsewhere")


def test_input_size_limit_is_a_setting():
    assert load_settings(environ={}).max_input_mb == 512
    assert load_settings(environ={"HOTPASS_MAX_INPUT_MB": "64"}).max_input_mb == 64
    with pytest.raises(SettingsError, match="max_input_mb"):
        load_settings(environ={"HOTPASS_MAX_INPUT_MB": "0"})


def test_the_settings_reference_table_is_generated_from_the_model() -> None:
    """docs/reference/settings.md stays true to the model: its table is the generated one."""
    from hotpass.cli.reference import settings_table, with_settings_table
    from hotpass.settings import describe

    page = (Path(__file__).resolve().parents[3] / "docs" / "reference" / "settings.md").read_text()
    assert with_settings_table(page) == page, "run ./pants run src/python/hotpass/cli/reference.py"
    table = settings_table()
    assert all(f"| `{info.key}` | `{info.env}` |" in table for info in describe())
