"""``hotpass doctor``: is this machine ready to run Hotpass?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hotpass.cli import exits

_MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}


def doctor(
    config: Annotated[
        Path | None,
        typer.Option(help="Settings file (default: ./hotpass.toml or $HOTPASS_CONFIG)."),
    ] = None,
    workspace: Annotated[
        Path | None, typer.Option(help="Workspace directory (default: ./.hotpass).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for each network check.")
    ] = 3.0,
) -> None:
    """Check Python, the workspace and every configured integration.

    Exits 0 when every required check passes, 1 when one fails, 2 on invalid settings.
    """
    from hotpass.doctor import run_checks
    from hotpass.errors import SettingsError
    from hotpass.settings import load_settings

    try:
        settings = load_settings(config_file=config, overrides={"workspace": workspace})
    except SettingsError as exc:
        typer.echo(f"hotpass doctor: {exc}", err=True)
        raise typer.Exit(exits.BAD_INPUT) from None

    results = run_checks(settings, timeout=timeout)
    failed = [result for result in results if result.blocking]
    if as_json:
        payload = {
            "ok": not failed,
            "checks": [
                {
                    "name": r.name,
                    "status": r.status,
                    "required": r.required,
                    "detail": r.detail,
                    "hint": r.hint,
                }
                for r in results
            ],
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        width = max(len(result.name) for result in results)
        for result in results:
            typer.echo(f"[{_MARKS[result.status]}] {result.name:<{width}}  {result.detail}")
            if result.hint and result.status in {"fail", "warn", "skip"}:
                typer.echo(f"       {'':<{width}}  -> {result.hint}")
        summary = "all required checks passed" if not failed else f"{len(failed)} check(s) failed"
        typer.echo(summary)
    if failed:
        raise typer.Exit(exits.FAILED)
