import json
import socket

from typer.testing import CliRunner

from hotpass.cli import app

runner = CliRunner()
SECRET = "cli-doctor-secret-abcdef"


def test_doctor_passes_on_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["doctor", "--workspace", str(tmp_path / "ws")], env={})
    assert result.exit_code == 0, result.output
    assert "all required checks passed" in result.output


def test_doctor_fails_on_unreachable_lakefs_and_hides_the_secret(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "HOTPASS_LAKEFS_ENDPOINT": f"http://AK:{SECRET}@127.0.0.1:{port}",
        "HOTPASS_LAKEFS_ACCESS_KEY_ID": "AK",
        "HOTPASS_LAKEFS_SECRET_ACCESS_KEY": SECRET,
    }
    result = runner.invoke(app, ["doctor", "--json", "--timeout", "1"], env=env)
    assert result.exit_code == 1
    assert SECRET not in result.output
    payload = json.loads(result.output)
    assert payload["ok"] is False
    lakefs = next(check for check in payload["checks"] if check["name"] == "lakefs")
    assert lakefs["status"] == "fail"
    assert lakefs["hint"]


def test_doctor_reports_invalid_settings_with_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hotpass.toml").write_text("[lakefs]\nunknown_key = 1\n")
    result = runner.invoke(app, ["doctor"], env={})
    assert result.exit_code == 2
    assert "lakefs.unknown_key" in result.output
