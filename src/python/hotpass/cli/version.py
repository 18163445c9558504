"""``hotpass version``: the history of published data - log, show, diff, tag, revert, export,
fsck.

Works on the store the settings name (embedded under the workspace, or lakeFS).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotpass.cli import exits

if TYPE_CHECKING:
    from hotpass.settings import Settings
    from hotpass.store import VersionedStore

app = typer.Typer(
    help="Browse, compare, tag, revert and export published versions.", no_args_is_help=True
)

WorkspaceOption = Annotated[Path | None, typer.Option(help="Workspace directory.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _store(workspace: Path | None, settings: Settings | None = None) -> VersionedStore:
    """The workspace's store; ``settings`` when the caller has loaded them already."""
    from hotpass.settings import load_settings
    from hotpass.store import StoreError, open_store

    settings = settings or load_settings(overrides={"workspace": workspace})
    if not settings.lakefs.endpoint and not (settings.workspace / "store").exists():
        typer.echo(
            f"hotpass version: no store in {settings.workspace}; run hotpass refine first",
            err=True,
        )
        raise typer.Exit(exits.BAD_INPUT)
    try:
        return open_store(settings)
    except StoreError as exc:
        typer.echo(f"hotpass version: {exc}", err=True)
        raise typer.Exit(exits.BAD_INPUT) from None


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"hotpass version: {exc}", err=True)
    return typer.Exit(exits.BAD_INPUT)


def _commit_dict(commit: Any) -> dict[str, Any]:
    return {
        "id": commit.id,
        "parents": list(commit.parents),
        "message": commit.message,
        "created_at": commit.created_at,
        "metadata": dict(commit.metadata),
    }


@app.command("log")
def log(
    ref: Annotated[str, typer.Argument(help="Branch, tag or commit.")] = "main",
    limit: Annotated[int, typer.Option(min=1, help="Most commits to show.")] = 20,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Commits on REF, newest first (first parents: one line per publish on main)."""
    from hotpass.store import StoreError

    store = _store(workspace)
    try:
        commits = store.log(ref, limit=limit)
    except StoreError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps([_commit_dict(c) for c in commits], indent=2))
        return
    tags_by_commit: dict[str, list[str]] = {}
    for tag, commit_id in store.tags().items():
        tags_by_commit.setdefault(commit_id, []).append(tag)
    for commit in commits:
        meta = commit.metadata
        extra = ", ".join(
            f"{key} {meta[key]}" for key in ("run_id", "gate", "organisations") if key in meta
        )
        tags = f" [{', '.join(tags_by_commit[commit.id])}]" if commit.id in tags_by_commit else ""
        typer.echo(
            f"{commit.id[:12]}  {commit.created_at[:19]}  {commit.message}{tags}"
            + (f"  ({extra})" if extra else "")
        )


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Branch, tag or commit.")],
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """One version: its commit, metadata (run, inputs, row counts) and files."""
    from hotpass.store import StoreError

    store = _store(workspace)
    try:
        commit = store.log(ref, limit=1)[0]
        files = store.ls(commit.id)
    except StoreError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps({**_commit_dict(commit), "files": files}, indent=2))
        return
    typer.echo(f"commit {commit.id}")
    if commit.parents:
        typer.echo(f"parents {' '.join(p[:12] for p in commit.parents)}")
    typer.echo(f"date    {commit.created_at}")
    typer.echo(f"message {commit.message}")
    for key, value in sorted(commit.metadata.items()):
        typer.echo(f"  {key}: {value}")
    data = [f for f in files if not f.startswith("reports/data_docs/")]
    typer.echo(f"files: {len(files)} ({len(files) - len(data)} Data Docs files not listed)")
    for path in data:
        typer.echo(f"  {path}")


@app.command("diff")
def diff(
    left: Annotated[str, typer.Argument(help="The earlier ref (e.g. main).")],
    right: Annotated[str, typer.Argument(help="The later ref (e.g. a run branch).")],
    limit: Annotated[int, typer.Option(min=0, help="Most organisations listed per kind.")] = 50,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """What changed from LEFT to RIGHT: files, and organisations added, removed and changed
    (with the changed fields) - the review before approving a merge."""
    from hotpass.publish import DATA_PATHS, read_tables
    from hotpass.store import StoreError
    from hotpass.versions.diff import OrganisationDiff, diff_organisations

    store = _store(workspace)
    try:
        files = store.diff(left, right)
        path = DATA_PATHS["organisations"]
        present = [path in store.ls(ref, "golden/") for ref in (left, right)]
        if all(present):
            organisations = diff_organisations(
                read_tables(store, left, ("organisations",))["organisations"],
                read_tables(store, right, ("organisations",))["organisations"],
            )
        else:
            organisations = OrganisationDiff()
    except StoreError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "left": left,
                    "right": right,
                    "files": [{"path": c.path, "change": c.kind} for c in files],
                    "organisations": organisations.to_dict(),
                },
                indent=2,
            )
        )
        return
    shown = [c for c in files if not c.path.startswith("reports/data_docs/")]
    typer.echo(
        f"files: {len(files)} changed ({len(files) - len(shown)} Data Docs files not listed)"
    )
    for change in shown:
        typer.echo(f"  {change.kind:<8} {change.path}")
    if not all(present):
        typer.echo("organisations: not in both versions")
        return
    typer.echo(
        f"organisations: {len(organisations.added)} added, {len(organisations.removed)} removed, "
        f"{len(organisations.changed)} changed, {organisations.unchanged} unchanged"
    )
    for label, rows in (
        ("+", organisations.added),
        ("-", organisations.removed),
        ("~", organisations.changed),
    ):
        for row in rows[:limit]:
            fields = f": {', '.join(row.fields)}" if row.fields else ""
            typer.echo(f"  {label} {row.org_id}  {row.display_name}{fields}")
        if len(rows) > limit:
            typer.echo(f"  {label} ... and {len(rows) - limit} more (--limit, --json)")


@app.command("tag")
def tag(
    name: Annotated[str, typer.Argument(help="Tag name (letters, digits, '_', '-', '.').")],
    ref: Annotated[str, typer.Argument(help="What to tag.")] = "main",
    workspace: WorkspaceOption = None,
) -> None:
    """Name a version; tags never move."""
    from hotpass.store import StoreError

    store = _store(workspace)
    try:
        commit = store.tag(name, ref)
    except StoreError as exc:
        raise _fail(exc) from None
    typer.echo(f"tagged {commit[:12]} as {name}")


@app.command("revert")
def revert(
    commit: Annotated[str, typer.Argument(help="The commit (or tag) whose changes to undo.")],
    branch: Annotated[str, typer.Option(help="Branch to commit the revert on.")] = "main",
    workspace: WorkspaceOption = None,
) -> None:
    """Undo one version's changes with a new commit (history is kept).

    Waits for a refine running in the same workspace to finish first (and a refine started
    meanwhile waits for the revert).
    """
    from hotpass.pipeline import WorkspaceBusy, workspace_turn
    from hotpass.settings import load_settings
    from hotpass.store import StoreError

    settings = load_settings(overrides={"workspace": workspace})
    store = _store(workspace, settings)
    try:
        with workspace_turn(settings, lambda message: typer.echo(message, err=True)):
            done = store.revert(branch, commit)
    except (StoreError, WorkspaceBusy) as exc:
        raise _fail(exc) from None
    typer.echo(f"{branch} at {done.id[:12]}: {done.message}")
    typer.echo(
        "the export directory still holds the earlier files: hotpass version export main DIR"
    )


@app.command("fsck")
def fsck(
    repair: Annotated[
        bool, typer.Option(help="Delete the temporary files of interrupted writes.")
    ] = False,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the embedded store's integrity: every ref, commit and object it reaches.

    Exit 0 when it is sound (notes, such as leftovers of a killed run, are harmless), 1 when
    something is damaged.
    """
    from hotpass.store import LocalStore, StoreError

    store = _store(workspace)
    if not isinstance(store, LocalStore):
        typer.echo(
            "hotpass version fsck: checks the embedded store; lakeFS checks its own", err=True
        )
        raise typer.Exit(exits.BAD_INPUT)
    try:
        report = store.fsck(repair=repair)
    except StoreError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report) | {"ok": report.ok}, indent=2))
    else:
        for problem in report.problems:
            typer.echo(f"problem: {problem}")
        for note in report.notes:
            typer.echo(f"note: {note}")
        typer.echo(
            f"{'ok' if report.ok else 'DAMAGED'}: {report.commits} commit(s) and "
            f"{report.objects} object(s) checked; {report.unreachable_commits} commit(s) and "
            f"{report.unreachable_objects} object(s) no ref reaches (left by blocked, failed or "
            "killed runs; harmless)"
            + (f"; {report.repaired} temporary file(s) removed" if report.repaired else "")
        )
    if not report.ok:
        raise typer.Exit(exits.FAILED)


@app.command("export")
def export(
    ref: Annotated[str, typer.Argument(help="Branch, tag or commit to export.")],
    directory: Annotated[Path, typer.Argument(help="Where to write the files.")],
    fmt: Annotated[
        list[str] | None,
        typer.Option("--format", help="parquet, xlsx or csv; repeat for several (default all)."),
    ] = None,
    include_do_not_contact: Annotated[
        bool,
        typer.Option(help="Keep do-not-contact organisations' contacts and channels."),
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Write one version as Parquet (as published), xlsx and csv for business users."""
    from hotpass.store import StoreError
    from hotpass.versions.export import FORMATS, export_version

    formats = tuple(fmt or FORMATS)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        typer.echo(
            f"hotpass version export: unknown format(s) {', '.join(unknown)}; "
            f"choose from {', '.join(FORMATS)}",
            err=True,
        )
        raise typer.Exit(exits.BAD_INPUT)
    store = _store(workspace)
    try:
        result = export_version(
            store, ref, directory, formats=formats, include_do_not_contact=include_do_not_contact
        )
    except StoreError as exc:
        raise _fail(exc) from None
    typer.echo(f"exported {ref} ({result.commit[:12]}) to {directory}:")
    for path in result.files:
        typer.echo(f"  {path}")
    if result.withheld_contacts:
        typer.echo(
            f"{result.withheld_contacts} do-not-contact contact(s) left out of xlsx/csv "
            "(--include-do-not-contact keeps them)"
        )
