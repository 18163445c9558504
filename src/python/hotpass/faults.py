"""Fault injection for crash-safety tests.

A test starts a subprocess that sets :data:`KILL_AT` to a point name before running Hotpass;
the process kills itself (SIGKILL: no clean-up, no ``finally``) when it reaches that point.
Points: ``store.before_ref`` / ``store.after_ref`` (inside a commit of the embedded store),
``publish.after_stage`` (tables committed on the run branch), ``publish.before_merge`` (audit
committed, merge not yet done). Nothing sets it outside tests.
"""

from __future__ import annotations

import os
import signal

KILL_AT: str | None = None


def crash_point(name: str) -> None:
    if name == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)
