"""Benchmark: throughput of ingest + standardise on generated workbooks.

Run: ./pants run benchmarks/refine_throughput.py -- --rows 100000
Prints one line per figure; speed targets live here, not in timed unit tests.
"""

from __future__ import annotations

import argparse
import math
import resource
import tempfile
import time
from pathlib import Path

from hotpass.pipeline import refine
from hotpass.settings import load_settings
from hotpass.synthetic import write_samples

ROWS_PER_SCALE = 308  # non-blank rows per unit of scale (the CSV grows a little slower)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="approximate non-blank rows")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    scale = max(1, math.ceil(args.rows / ROWS_PER_SCALE))

    with tempfile.TemporaryDirectory(prefix="hotpass-bench-") as tmp:
        base = Path(tmp)
        started = time.perf_counter()
        inputs = write_samples(base / "in", seed=args.seed, scale=scale)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in inputs)

        marks: list[tuple[str, float]] = []

        def progress(message: str) -> None:
            marks.append((message.split(":")[0].split(" ")[0], time.perf_counter()))

        settings = load_settings(environ={"HOTPASS_WORKSPACE": str(base / "ws")})
        started = time.perf_counter()
        summary = refine(inputs, settings=settings, export_dir=base / "out", progress=progress)
        total = time.perf_counter() - started

    stage_start = {name: at for name, at in reversed(marks)}
    ingest_s = stage_start["standardise"] - stage_start["ingest"]
    standardise_s = stage_start["write"] - stage_start["standardise"]
    rows = summary.rows["ingested"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scale: {scale}")
    print(f"input files: {len(inputs)}, {size / 1e6:.1f} MB, generated in {generated:.1f} s")
    print(f"rows ingested: {rows} (+{summary.rows['blank_skipped']} blank skipped)")
    print(
        f"rows accepted / quarantined: {summary.rows['accepted']} / {summary.rows['quarantined']}"
    )
    print(f"tables: {summary.tables}")
    physical = rows + summary.rows["blank_skipped"]
    print(f"ingest: {ingest_s:.2f} s ({physical / ingest_s:,.0f} physical rows/s)")
    print(f"standardise + contracts: {standardise_s:.2f} s ({rows / standardise_s:,.0f} rows/s)")
    print(f"refine total: {total:.2f} s ({rows / total:,.0f} rows/s)")
    print(f"peak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
