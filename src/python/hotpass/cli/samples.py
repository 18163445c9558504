"""``hotpass samples``: write the seeded synthetic workbooks (no real person's data)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def samples(
    directory: Annotated[Path, typer.Argument(help="Where to write the files.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same cells.")] = 7,
    scale: Annotated[int, typer.Option(min=1, help="Multiply every row count (benchmarks).")] = 1,
) -> None:
    """Generate synthetic workbooks of the three source families and a generic CSV."""
    from hotpass.synthetic import write_samples

    for path in write_samples(directory, seed=seed, scale=scale):
        typer.echo(f"wrote {path}")
