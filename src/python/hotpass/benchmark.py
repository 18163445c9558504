"""``hotpass bench``: how fast and how big a refine is at a chosen size, as one JSON report.

The inputs are generated (seeded): the three workbook families for half the rows and a large
generic CSV (a quarter of its rows are variants of earlier ones) for the rest. Every measured
step runs in its own spawned process, so each peak RSS is that step's alone, never the
generator's or an earlier step's:

- ``refine`` end to end (ingest -> published commit) with per-stage wall time and rows/s;
- the same refine again with 1% new rows in a new CSV, in the same workspace: the unchanged
  inputs' staged rows are reused (:mod:`hotpass.stage_cache`), the rest runs on every row;
- the gate alone over the tables that incremental run's gate saw (Great Expectations'
  import, then the checkpoint): the least any run pays while its gate checks every row
  (ADR 0025);
- resolution alone on the refine's staged organisations, once through ``hotpass.resolve`` and
  once as a plain Splink DuckDB dedupe with the same settings, blocking and training steps
  (their ratio is the cost of Hotpass's extras: certain links, chaining guard, review queue);
- ingest alone on the CSV cut to three sizes (the streaming-memory curve), and on the
  Reachout workbook cut to three sizes, read a sheet at a time (calamine, the default) and a
  row at a time (openpyxl, for workbooks past ``stream_workbooks_above_mb``);
- ``hotpass --help`` in a fresh interpreter, warm (best of three after one untimed run).

Figures are printed, never asserted: speed targets live here, not in timed unit tests.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from hotpass import __version__

DEFAULT_DIR = Path("dist/benchmarks")
ROWS_PER_SCALE = 308  # non-blank workbook rows per unit of generator scale
CURVE = (0.25, 0.5, 1.0)  # shares of the CSV ingested alone for the memory curve
STAGE_ORDER = ("ingest", "standardise", "resolve_survive", "score", "leads", "audit", "publish")
TARGETS = {
    "rows": 1_000_000,
    "end_to_end_s": 120.0,
    "peak_rss_mb": 6144.0,
    "cli_help_s": 0.5,
    "incremental_share": 0.1,
}
INCREMENT = 0.01  # the incremental run adds this share of new rows, as a new CSV
T = TypeVar("T")
Say = Callable[[str], None]


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (Linux ``VmHWM``). ``ru_maxrss`` is not used
    where ``VmHWM`` exists: a spawned process starts with its parent's peak in it (a step
    spawned by a 1 GB parent reported 1 GB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _isolated(function: Callable[..., T], *args: Any) -> T:
    """Run ``function(*args)`` in a fresh process (its own peak RSS) and return its result.
    Spawned, not forked: a fork copies DuckDB instances without their threads, and the child
    hangs when it collects one (seen when the caller had run a refine, as tests do)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _write_increment(path: Path, rows: int, seed: int) -> None:
    """New rows for the incremental run: a CSV of another seed, so some of its organisations
    are new and some are variants of ones already published."""
    from hotpass.synthetic import write_generic_csv

    write_generic_csv(path, rows=rows, seed=seed + 1)


def _generate(directory: Path, rows: int, seed: int) -> dict[str, Any]:
    from hotpass.synthetic import write_generic_csv, write_samples

    started = time.perf_counter()
    scale = max(1, math.ceil(rows / 2 / ROWS_PER_SCALE))
    paths = write_samples(directory, seed=seed, scale=scale)
    csv_rows = max(1, rows - scale * ROWS_PER_SCALE)
    bulk = directory / "crm_bulk_export.csv"
    write_generic_csv(bulk, rows=csv_rows, seed=seed)
    paths.append(bulk)
    return {
        "scale": scale,
        "csv_rows": csv_rows,
        "paths": [str(p) for p in paths],
        "seconds": round(time.perf_counter() - started, 2),
    }


class _MemoryTrace:
    """Samples this process's resident memory every ``interval`` s in a thread, so the peak
    can be attributed to the step (progress message) that was running; ``echo`` also prints
    each message (a million-row refine is minutes of otherwise silent work)."""

    def __init__(self, interval: float = 0.1, *, echo: bool = False) -> None:
        self.echo = echo
        self.marks: list[tuple[float, str]] = []
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)

    def _sample(self, interval: float) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
        with open("/proc/self/statm") as statm:
            while not self._stop.wait(interval):
                statm.seek(0)
                self.samples.append((time.perf_counter(), int(statm.read().split()[1]) * page_mb))

    def mark(self, message: str) -> None:
        if self.echo:
            print(f"bench:   {message}", file=sys.stderr, flush=True)
        step = message.split(":")[0].split(" ")[0]
        if not self.marks or self.marks[-1][1] != step:
            self.marks.append((time.perf_counter(), step))

    def __enter__(self) -> _MemoryTrace:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peaks(self) -> dict[str, dict[str, float]]:
        """Per step: wall seconds and peak RSS (MB) while it ran."""
        ends = [at for at, _ in self.marks[1:]] + [time.perf_counter()]
        steps: dict[str, dict[str, float]] = {}
        for (start, step), end in zip(self.marks, ends, strict=True):
            peak = max((mb for at, mb in self.samples if start <= at < end), default=0.0)
            entry = steps.setdefault(step, {"seconds": 0.0, "peak_rss_mb": 0.0})
            entry["seconds"] = round(entry["seconds"] + end - start, 2)
            entry["peak_rss_mb"] = round(max(entry["peak_rss_mb"], peak), 1)
        return steps


def _refine(paths: list[str], workspace: Path, export: Path, echo: bool) -> dict[str, Any]:
    from hotpass.pipeline import REUSED_NOTE, refine

    settings = _settings(workspace)
    started = time.perf_counter()
    reused = []

    def progress(message: str) -> None:
        if REUSED_NOTE in message:
            reused.append(message)
        trace.mark(message)

    with _MemoryTrace(echo=echo) as trace:
        summary = refine(
            [Path(p) for p in paths], settings=settings, export_dir=export, progress=progress
        )
    return {
        "run_id": summary.run_id,
        "inputs_reused": len(reused),
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": _peak_rss_mb(),
        # The largest worker process (ingest and standardise read files in workers): their
        # memory is not in peak_rss_mb, and at most two run beside the refine at once.
        "peak_worker_rss_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "steps": trace.peaks(),
        "status": summary.status,
        "rows": summary.rows,
        "tables": summary.tables,
        "stage_seconds": summary.stage_seconds,
        "resolve": summary.resolve,
    }


def _gate_alone(kept: Path, scratch: Path) -> dict[str, Any]:
    """The gate by itself in a fresh process, over the tables a run's gate kept: Great
    Expectations' import, then the checkpoint with its Data Docs, as a run builds them."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # as the gate sets it: no network
    started = time.perf_counter()
    import great_expectations  # noqa: F401

    imported = time.perf_counter()
    from hotpass.validate.gate import load_tables, run_gate

    tables = load_tables(kept)
    loaded = time.perf_counter()
    gate = run_gate(tables, workspace=scratch)
    return {
        "rows": sum(len(frame) for frame in tables.values()),
        "tables": len(tables),
        "import_s": round(imported - started, 2),
        "checkpoint_s": round(time.perf_counter() - loaded, 2),
        "passed": gate.passed,
    }


# The environment variables a benchmark may be run with; every other setting is a default.
KNOBS = ("HOTPASS_ENGINE_MEMORY_MB", "HOTPASS_ENGINE", "HOTPASS_SPARK_MASTER")


def _settings(workspace: Path) -> Any:
    """Defaults and a private workspace, with only the :data:`KNOBS` read from the
    environment (the refine runs on the chosen engine; resolution alone is always DuckDB's,
    as is the plain Splink run it is compared with)."""
    from hotpass.settings import load_settings

    environ = {knob: os.environ[knob] for knob in KNOBS if knob in os.environ}
    return load_settings(environ=environ, overrides={"workspace": workspace})


def _features(con: Any, export: Path) -> str:
    from hotpass.resolve.features import organisation_features

    for name in ("organisations", "addresses"):
        con.execute(
            f"CREATE TEMP TABLE bench_staged_{name} AS "
            f"SELECT * FROM read_parquet('{export / 'staged' / (name + '.parquet')}')"
        )
    return str(organisation_features(con, "bench_staged_organisations", "bench_staged_addresses"))


def _resolve_hotpass(export: Path, workspace: Path) -> dict[str, Any]:
    """Resolution as refine runs it, on the staged rows refine wrote."""
    import pyarrow.compute as pc

    from hotpass.engine import connect
    from hotpass.resolve import load_config, resolve

    backend = connect(workspace, memory_mb=_settings(workspace).engine_memory_mb)
    try:
        table = _features(backend.con, export)
        started = time.perf_counter()
        resolution = resolve(backend.con, table, config=load_config("organisations"))
        seconds = time.perf_counter() - started
        clusters = pc.count_distinct(resolution.clusters.column("cluster_id")).as_py()
    finally:
        backend.disconnect()
    return {
        "seconds": round(seconds, 2),
        "clusters": clusters,
        "parts": {name: round(part, 2) for name, part in resolution.seconds.items()},
        "peak_rss_mb": _peak_rss_mb(),
    }


def _resolve_plain_splink(export: Path, workspace: Path) -> dict[str, Any]:
    """A plain Splink 5 DuckDB dedupe of the same records: the same settings (comparisons,
    blocking), the same training steps (:func:`hotpass.resolve.model.training_steps`), predict,
    then Splink's own clustering at the same threshold. No certain links, decisions,
    term-frequency tables or chaining guard."""
    import logging

    from splink import DuckDBAPI, Linker

    from hotpass.engine import connect
    from hotpass.resolve import load_config
    from hotpass.resolve.model import settings_for, training_steps

    logging.getLogger("splink").setLevel(logging.ERROR)
    config = load_config("organisations")
    backend = connect(workspace, memory_mb=_settings(workspace).engine_memory_mb)
    try:
        table = _features(backend.con, export)
        started = time.perf_counter()
        db = DuckDBAPI(connection=backend.con)
        linker = Linker(db.register(table), settings_for(config), log_level=logging.ERROR)
        for _name, step in training_steps(linker, config):
            step()
        predictions = linker.inference.predict(
            threshold_match_probability=config.review_floor, warning_mode="never"
        )
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=config.threshold
        )
        seconds = time.perf_counter() - started  # counting is not part of either run
        counted = backend.con.execute(
            f"SELECT count(DISTINCT cluster_id) FROM {clusters.physical_name}"
        ).fetchall()[0][0]
    finally:
        backend.disconnect()
    return {"seconds": round(seconds, 2), "clusters": int(counted), "peak_rss_mb": _peak_rss_mb()}


def _cut_csv(source: Path, target: Path, rows: int) -> int:
    """The header and the first ``rows`` data lines of ``source``; returns the bytes written."""
    with source.open("rb") as reader, target.open("wb") as writer:
        for count, line in enumerate(reader):
            if count > rows:
                break
            writer.write(line)
    return target.stat().st_size


def _cut_workbook(source: Path, target: Path, share: float) -> int:
    """The first ``share`` of every sheet's rows of ``source`` (values only) as a new
    workbook; returns its size. The same family at a smaller size, for the memory curve."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(source))
    out = openpyxl.Workbook(write_only=True)
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        written = out.create_sheet(name)
        for values in itertools.islice(sheet.iter_rows(), max(1, int(sheet.height * share))):
            written.append([value if value != "" else None for value in values])
    out.save(target)
    return target.stat().st_size


def _ingest_alone(path: str, stream_above: int | None = None) -> dict[str, Any]:
    from hotpass.ingest import ingest
    from hotpass.ingest.readers import STREAM_ABOVE
    from hotpass.profiles import builtin_profiles

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hotpass-bench-spool-") as spool:
        result = ingest(
            [Path(path)],
            profile=None,
            profiles=builtin_profiles(),
            max_bytes=2**40,
            spool=Path(spool),
            stream_above=STREAM_ABOVE if stream_above is None else stream_above,
        )
        rows = result.rows
    return {
        "rows": rows,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": _peak_rss_mb(),
    }


def cli_help_seconds(runs: int = 3) -> float:
    """Warm wall time of ``hotpass --help`` in a fresh interpreter (best of ``runs``)."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    command = [sys.executable, "-c", "from hotpass.cli import main; main()", "--help"]
    subprocess.run(command, env=environ, capture_output=True, check=True)
    best = math.inf
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=environ, capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def _stages(refined: dict[str, Any]) -> dict[str, dict[str, float]]:
    ingested = refined["rows"]["ingested"]
    organisations = refined["tables"].get("organisations", 0)
    consumed = {
        "ingest": ingested,
        "standardise": ingested,
        "resolve_survive": refined["resolve"].get("records", 0),
    }
    stages = {}
    timed = refined["stage_seconds"]
    for name in sorted(timed, key=lambda n: (*STAGE_ORDER, n).index(n)):
        seconds, rows = timed[name], consumed.get(name, organisations)
        stages[name] = {
            "seconds": round(seconds, 2),
            "rows": rows,
            "rows_per_s": round(rows / seconds) if seconds else 0,
        }
    return stages


def run_benchmark(
    rows: int, *, seed: int = 11, workdir: Path | None = None, progress: Say | None = None
) -> dict[str, Any]:
    """Generate ``rows`` source rows, measure every step (module docstring), return the report.

    ``workdir`` keeps the generated inputs and the run's workspace (a temporary directory,
    removed afterwards, when None); inputs already there for the same rows and seed are reused.
    With ``progress``, the refine's own progress lines are also printed (to stderr).
    """
    say = progress or (lambda _message: None)
    echo = progress is not None
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="hotpass-bench-") as scratch:
            return _measure(rows, seed, Path(scratch), say, echo)
    return _measure(rows, seed, workdir, say, echo)


def _measure(rows: int, seed: int, root: Path, say: Say, echo: bool) -> dict[str, Any]:
    from hotpass.validate.gate import GATE_TABLES

    manifest = root / "inputs" / "manifest.json"
    wanted = {"rows": rows, "seed": seed, "hotpass_version": __version__}
    recorded = json.loads(manifest.read_text()) if manifest.is_file() else {}
    if recorded.get("wanted") == wanted:
        generated = recorded["generated"]
        say(f"reusing the inputs generated in {manifest.parent}")
    else:
        shutil.rmtree(root / "inputs", ignore_errors=True)
        say(f"generating about {rows:,} source rows (seed {seed})")
        generated = _isolated(_generate, root / "inputs", rows, seed)
        manifest.write_text(json.dumps({"wanted": wanted, "generated": generated}))
    for scratch in ("workspace", "export", "resolve-ws", "splink-ws", "increment", "gate-ws"):
        shutil.rmtree(root / scratch, ignore_errors=True)
    paths = generated["paths"]
    say("refine end to end")
    refined = _isolated(_refine, paths, root / "workspace", root / "export", echo)
    say(
        f"refine: {refined['seconds']} s, peak RSS {refined['peak_rss_mb']:,.0f} MB, "
        f"{refined['rows']['ingested']:,} rows ingested; steps "
        + ", ".join(
            f"{name} {step['seconds']} s {step['peak_rss_mb']:,.0f} MB"
            for name, step in refined["steps"].items()
        )
    )
    added = max(1, int(rows * INCREMENT))
    extra = root / "increment" / "crm_new_rows.csv"
    say(f"incremental: {added:,} new rows as a new CSV beside the unchanged inputs")
    _isolated(_write_increment, extra, added, seed)
    incremental = _isolated(
        _refine, [*paths, str(extra)], root / "workspace", extra.parent / "export", echo
    )
    say(
        f"incremental: {incremental['seconds']} s ({incremental['inputs_reused']} input(s) "
        f"reused), {incremental['seconds'] / refined['seconds']:.1%} of the full run"
    )
    say("the gate alone, over the tables the incremental run's gate saw")
    kept = _settings(root / "workspace").run_dir(incremental["run_id"]) / GATE_TABLES
    gate = _isolated(_gate_alone, kept, root / "gate-ws")
    gate_s = gate["import_s"] + gate["checkpoint_s"]
    say(
        f"gate alone: {gate['rows']:,} rows, import {gate['import_s']} s + checkpoint "
        f"{gate['checkpoint_s']} s, {gate_s / refined['seconds']:.1%} of the full run"
    )
    say("resolution alone: hotpass, then plain Splink on the same records")
    ours = _isolated(_resolve_hotpass, root / "export", root / "resolve-ws")
    plain = _isolated(_resolve_plain_splink, root / "export", root / "splink-ws")
    curve = []
    bulk = Path(paths[-1])
    for share in CURVE:
        cut_rows = max(1, int(generated["csv_rows"] * share))
        cut = root / f"cut-{cut_rows}.csv"
        size = _cut_csv(bulk, cut, cut_rows)
        say(f"ingest alone: {cut_rows:,} CSV rows")
        curve.append({"bytes": size, **_isolated(_ingest_alone, str(cut))})
        cut.unlink()
    # Reachout: the family with the longest sheet, so the cuts pass one ingest chunk.
    book = next(Path(p) for p in paths if Path(p).name == "reachout.xlsx")
    workbook_curve: dict[str, list[dict[str, Any]]] = {"calamine": [], "openpyxl": []}
    for share in CURVE:
        cut = root / f"cut-{share:g}-{book.name}"
        size = _isolated(_cut_workbook, book, cut, share)
        say(f"ingest alone: {share:.0%} of {book.name}, a sheet and then a row at a time")
        for reader, stream_above in (("calamine", None), ("openpyxl", 0)):
            point = _isolated(_ingest_alone, str(cut), stream_above)
            workbook_curve[reader].append({"share": share, "bytes": size, **point})
        cut.unlink()
    inputs = [{"file": Path(p).name, "bytes": Path(p).stat().st_size} for p in paths]
    say("hotpass --help, warm")
    help_s = cli_help_seconds()
    return {
        "hotpass_version": __version__,
        "rows_requested": rows,
        "seed": seed,
        "settings": {knob: os.environ[knob] for knob in KNOBS if knob in os.environ},
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
            "python": platform.python_version(),
        },
        "inputs": inputs,
        "generator": {k: generated[k] for k in ("scale", "csv_rows", "seconds")},
        "rows": refined["rows"],
        "tables": refined["tables"],
        "status": refined["status"],
        "end_to_end_s": refined["seconds"],
        "peak_rss_mb": refined["peak_rss_mb"],
        "peak_worker_rss_mb": refined["peak_worker_rss_mb"],
        "stages": _stages(refined),
        "steps": refined["steps"],
        "resolution": {
            "records": refined["resolve"].get("records"),
            "hotpass_s": ours["seconds"],
            "plain_splink_s": plain["seconds"],
            "ratio": round(ours["seconds"] / plain["seconds"], 3) if plain["seconds"] else None,
            "hotpass_parts_s": ours["parts"],
            "hotpass_clusters": ours["clusters"],
            "plain_splink_clusters": plain["clusters"],
            "hotpass_peak_rss_mb": ours["peak_rss_mb"],
            "plain_splink_peak_rss_mb": plain["peak_rss_mb"],
        },
        "incremental": {
            "rows_added": added,
            "seconds": incremental["seconds"],
            "share_of_full": round(incremental["seconds"] / refined["seconds"], 3),
            "inputs_reused": incremental["inputs_reused"],
            "stages": _stages(incremental),
            "rows": incremental["rows"],
            "tables": incremental["tables"],
            "status": incremental["status"],
            "gate_alone": {
                **gate,
                "seconds": round(gate_s, 2),
                "share_of_full": round(gate_s / refined["seconds"], 3),
            },
        },
        "ingest_memory": curve,
        "workbook_memory": {"file": book.name, **workbook_curve},
        "cli_help_s": help_s,
        "targets": TARGETS,
    }


def write_report(report: dict[str, Any], out: Path | None) -> Path:
    """Write the report as JSON (default ``dist/benchmarks/refine-<rows>.json``)."""
    target = out or DEFAULT_DIR / f"refine-{report['rows_requested']}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return target
