"""The training job as one command (the ``hotpass-train`` PEX) and as the two steps the
``hotpass_train`` DAG runs: train a challenger, then put it through the promotion gate.

A refusal is an outcome, not a failure: the step reports it and the champion stays.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from hotpass.errors import HotpassError
from hotpass.settings import Settings, load_settings
from hotpass_train.promote import PromotionRefused, promote
from hotpass_train.train import train

# hotpass.cli.exits.BAD_INPUT; not imported: hotpass.cli would pull the whole CLI (and its
# dependencies) into the training PEX.
EXIT_BAD_INPUT = 2


class TrainingJobFailed(RuntimeError, HotpassError):
    """The training job's own process exited non-zero."""


def train_step(settings: Settings) -> dict[str, Any]:
    """Train and register a challenger; its numbers (no personal data). With
    ``model.train_command`` set (the ``hotpass-train`` PEX) training runs in that process."""
    if not settings.model.train_command:
        return train(settings).as_dict()
    command = [
        *shlex.split(settings.model.train_command),
        "--workspace",
        str(settings.workspace),
        "--no-promote",
    ]
    ran = subprocess.run(command, capture_output=True, text=True, check=False)
    if ran.returncode != 0:
        last = (ran.stderr.strip().splitlines() or ["no message"])[-1]
        raise TrainingJobFailed(f"{command[0]} exited {ran.returncode}: {last}")
    result: dict[str, Any] = json.loads(ran.stdout)["train"]
    return result


def promote_step(settings: Settings) -> dict[str, Any]:
    """Promote the challenger if it clears the gate; the decision either way."""
    try:
        return promote(settings).as_dict()
    except PromotionRefused as refused:
        return refused.decision.as_dict()


def main(argv: list[str] | None = None) -> None:
    """``hotpass-train [--workspace DIR] [--no-promote]``: train, then gate, print JSON."""
    parser = argparse.ArgumentParser(
        prog="hotpass-train", description="Train the lead model and put it through the gate."
    )
    parser.add_argument("--workspace", type=Path, default=None, help="workspace directory")
    parser.add_argument(
        "--no-promote", action="store_true", help="register the challenger and stop"
    )
    args = parser.parse_args(argv)
    settings = load_settings(overrides={"workspace": args.workspace})
    try:
        # Always in this process: this *is* the job a train_command points at.
        result: dict[str, Any] = {"train": train(settings).as_dict()}
        if not args.no_promote:
            result["promote"] = promote_step(settings)
    except HotpassError as exc:
        print(f"hotpass-train: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
