"""Fault injection for crash-safety tests.

A test starts a subprocess that sets :data:`KILL_AT` to a point name before running Hotpass;
the process kills itself (SIGKILL: no clean-up, no ``finally``) when it reaches that point,
or at its n-th passage with ``"name#n"``. Points: ``<stage>.start`` / ``<stage>.end`` for every
telemetry stage (ingest, standardise, resolve_survive, score, leads, write, audit, publish,
refine), ``store.before_ref`` / ``store.after_ref`` (inside every commit, merge or tag move
of the embedded store), ``publish.after_stage`` (tables committed on the run branch),
``publish.before_merge`` (audit committed, merge not yet done), ``export.moving`` (after each
file moved into the export directory). Nothing sets it outside tests.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

KILL_AT: str | None = None
_passed: Counter[str] = Counter()


def crash_point(name: str) -> None:
    if KILL_AT is None:
        return
    _passed[name] += 1
    if KILL_AT in (name, f"{name}#{_passed[name]}"):
        os.kill(os.getpid(), signal.SIGKILL)
