"""Fail when detect-secrets finds a secret the committed baseline does not list.

Compares (file, hashed secret) pairs, not line numbers, so moving code never fails the check;
a new secret (or a new test fixture that looks like one) must be audited into
``.secrets.baseline`` (``detect-secrets scan --baseline .secrets.baseline``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXCLUDE = r"(^|/)(3rdparty/python/.*\.lock|samples/.*|dist/.*|\.secrets\.baseline)$"


def _pairs(report: dict) -> set[tuple[str, str]]:
    return {
        (name, item["hashed_secret"]) for name, items in report["results"].items() for item in items
    }


def main() -> int:
    scanner = Path(sys.executable).with_name("detect-secrets")
    ran = subprocess.run(
        [str(scanner), "scan", "--exclude-files", EXCLUDE],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _pairs(json.loads(ran.stdout))
    known = _pairs(json.loads(Path(".secrets.baseline").read_text(encoding="utf-8")))
    new = sorted(found - known)
    for name, _ in new:
        print(f"detect-secrets: a possible secret in {name} is not in .secrets.baseline")
    print(f"detect-secrets: {len(found)} finding(s), {len(new)} new")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
