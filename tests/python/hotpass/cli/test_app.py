import json
import subprocess
import sys

from typer.testing import CliRunner

from hotpass import __version__
from hotpass.cli import app

runner = CliRunner()

HEAVY_MODULES = ["duckdb", "ibis", "great_expectations", "mlflow", "airflow", "splink", "pandas"]


def test_version_flag_prints_the_package_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"hotpass {__version__}"


def test_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "doctor" in result.output


def test_cli_start_up_imports_no_heavy_library():
    code = (
        "import sys, json, hotpass.cli\n"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=None
    )
    assert json.loads(out.stdout) == []


def test_unexpected_errors_are_one_line_without_the_message(monkeypatch, capsys, tmp_path):
    import pytest

    import hotpass.pipeline
    from hotpass.cli import main

    def explode(*args, **kwargs):
        raise RuntimeError("leaked-marker-0831234567")

    monkeypatch.setattr(hotpass.pipeline, "refine", explode)
    monkeypatch.delenv("HOTPASS_DEBUG", raising=False)
    with pytest.raises(SystemExit) as caught:
        main(["refine", "samples", "--workspace", str(tmp_path)])
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert "internal error (RuntimeError)" in err
    assert "leaked-marker" not in err
    assert "Traceback" not in err

    monkeypatch.setenv("HOTPASS_DEBUG", "1")
    with pytest.raises(RuntimeError, match="leaked-marker"):
        main(["refine", "samples", "--workspace", str(tmp_path)])


def test_commands_exit_only_with_the_documented_codes() -> None:
    """Every exit goes through hotpass.cli.exits (0, 1, 2, 3), never a bare number."""
    import re
    from pathlib import Path

    from hotpass.cli import exits

    assert (exits.OK, exits.FAILED, exits.BAD_INPUT, exits.BLOCKED) == (0, 1, 2, 3)
    sources = Path(exits.__file__).parent.glob("*.py")
    bare = [
        f"{path.name}: {match}"
        for path in sources
        for match in re.findall(r"(?:typer\.Exit|sys\.exit)\((\d+)\)", path.read_text())
    ]
    assert bare == []
