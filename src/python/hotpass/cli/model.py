"""``hotpass model``: train, evaluate, promote and score the lead model (MLflow registry).

Every command reads the published data on the store's main and the registry the settings
name (SQLite under the workspace unless ``mlflow.tracking_uri`` says otherwise).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from hotpass.cli import exits

app = typer.Typer(
    help="Train, evaluate, promote and score the lead-scoring model.", no_args_is_help=True
)

WorkspaceOption = Annotated[Path | None, typer.Option(help="Workspace directory.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
# Progress messages training sends: read, cross-validate, log and register, alias.
TRAIN_STEPS = 4
METRICS = ("pr_auc", "roc_auc", "brier", "top_decile_lift", "rows", "positives")


def _settings(workspace: Path | None) -> Any:
    from hotpass.settings import load_settings

    return load_settings(overrides={"workspace": workspace})


def _fail(command: str, exc: Exception, code: int = exits.BAD_INPUT) -> typer.Exit:
    typer.echo(f"hotpass model {command}: {exc}", err=True)
    return typer.Exit(code)


def _table(rows: dict[str, dict[str, float]]) -> None:
    """Metrics side by side: one column per model."""
    names = list(rows)
    typer.echo(f"{'metric':<16}" + "".join(f"{name:>24}" for name in names))
    for metric in METRICS:
        digits = 0 if metric in ("rows", "positives") else 4
        cells = "".join(f"{rows[name].get(metric, float('nan')):>24.{digits}f}" for name in names)
        typer.echo(f"{metric:<16}{cells}")


@app.command("train")
def train(
    workspace: WorkspaceOption = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: model.seed).")] = None,
    shuffle_labels: Annotated[
        bool,
        typer.Option(help="Permute the outcomes first: a model the gate must refuse (check)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Train on main's golden tables and register the new version as ``challenger``."""
    from hotpass.cli.progress import counted
    from hotpass.errors import HotpassError
    from hotpass_train.train import train as train_model

    settings = _settings(workspace)
    try:
        with counted("model train", TRAIN_STEPS, quiet=as_json) as step:
            result = train_model(settings, seed=seed, shuffle_labels=shuffle_labels, progress=step)
    except HotpassError as exc:
        raise _fail("train", exc) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True))
        return
    typer.echo(f"{result.version} registered as challenger (MLflow run {result.run_id})")
    typer.echo(f"trained on store commit {result.store_commit[:12]}, seed {result.seed}")
    _table(
        {
            "cross-validation": result.cross_validation,
            "holdout": result.holdout,
            "no-skill baseline": result.baseline,
        }
    )
    typer.echo("next: hotpass model promote")


@app.command("evaluate")
def evaluate(
    version: Annotated[
        str, typer.Argument(help="Alias (challenger, champion) or version number.")
    ] = "challenger",
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Judge a version on the current holdout against the bar it must beat; changes nothing."""
    from hotpass.errors import HotpassError
    from hotpass_train.promote import decide
    from hotpass_train.promote import evaluate as evaluate_version

    settings = _settings(workspace)
    try:
        if version == "challenger":
            decision = decide(settings)
            judged, bar, bar_holdout = decision.challenger, decision.bar, decision.bar_holdout
        else:
            judged, bar, bar_holdout = evaluate_version(settings, version), None, None
    except HotpassError as exc:
        raise _fail("evaluate", exc) from None
    if as_json:
        payload: dict[str, Any] = {"evaluation": asdict(judged)}
        if bar is not None:
            payload["decision"] = decision.as_dict()
        typer.echo(json.dumps(payload, indent=2, sort_keys=True))
        return
    typer.echo(f"{judged.version} on the holdout of store commit {judged.store_commit[:12]}")
    rows = {judged.version: judged.holdout}
    if bar is not None and bar_holdout is not None:
        rows[bar] = bar_holdout
    _table(rows)
    if bar is not None:
        verdict = "would be promoted" if decision.promoted else "would be refused"
        typer.echo(f"{verdict}: " + ("; ".join(decision.reasons) or f"beats {bar}"))


def _report(decision: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(decision.as_dict(), indent=2, sort_keys=True))
    else:
        _table(
            {
                decision.challenger.version: decision.challenger.holdout,
                decision.bar: decision.bar_holdout,
            }
        )


@app.command("promote")
def promote(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Make the challenger the champion if it clears the gate (exit 3 with the numbers if not)."""
    from hotpass.errors import HotpassError
    from hotpass_train.promote import PromotionRefused
    from hotpass_train.promote import promote as promote_version

    settings = _settings(workspace)
    try:
        decision = promote_version(settings)
    except PromotionRefused as refused:
        _report(refused.decision, as_json)
        raise _fail("promote", refused, exits.BLOCKED) from None
    except HotpassError as exc:
        raise _fail("promote", exc) from None
    _report(decision, as_json)
    if as_json:
        return
    typer.echo(f"{decision.challenger.version} is now the champion (beat {decision.bar})")
    typer.echo("the next hotpass refine adds its lead_score to the golden organisations")


@app.command("score")
def score(
    workspace: WorkspaceOption = None,
    version: Annotated[
        str, typer.Option(help="Alias or version number to score with.")
    ] = "champion",
    out: Annotated[
        Path | None,
        typer.Option(help="CSV to write (default: <workspace>/export/call_list.csv)."),
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="How many of the best leads to print.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Rank main's organisations by conversion chance; do-not-contact ones stay out of the
    call list."""
    from hotpass.errors import HotpassError
    from hotpass.versions.export import write_csv
    from hotpass_train.score import call_list

    settings = _settings(workspace)
    try:
        ranked, model_version, commit = call_list(settings, version)
    except HotpassError as exc:
        raise _fail("score", exc) from None
    target = out or settings.export_dir / "call_list.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_csv(ranked, target)
    import pyarrow.compute as pc

    callable_rows = ranked.filter(pc.field("in_call_list"))
    best = callable_rows.slice(0, top).select(["org_id", "lead_score"]).to_pylist()
    summary: dict[str, Any] = {
        "model_version": model_version,
        "store_commit": commit,
        "scored": ranked.num_rows,
        "in_call_list": callable_rows.num_rows,
        "do_not_contact": ranked.num_rows - callable_rows.num_rows,
        "out": str(target),
        "top": best,
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2, sort_keys=True))
        return
    typer.echo(
        f"{model_version} scored {summary['scored']} organisation(s) at store commit "
        f"{commit[:12]}: {summary['in_call_list']} in the call list, "
        f"{summary['do_not_contact']} do-not-contact left out"
    )
    for row in best:
        typer.echo(f"  {row['org_id']}  {row['lead_score']:.3f}")
    typer.echo(f"wrote {target}")
