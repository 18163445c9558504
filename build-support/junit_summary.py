"""Total the JUnit XML reports Pants writes into one line: 'tests: N passed, N failed, N skipped'.

Exit 1 when no test ran, so CI cannot pass on an empty suite.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main(report_dir: str) -> int:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in Path(report_dir).rglob("*.xml"):
        root = ET.parse(report).getroot()  # noqa: S314 - our own test reports
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            for key in totals:
                totals[key] += int(suite.get(key, 0))
    failed = totals["failures"] + totals["errors"]
    passed = totals["tests"] - failed - totals["skipped"]
    print(f"tests: {passed} passed, {failed} failed, {totals['skipped']} skipped")
    return 0 if totals["tests"] and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist/test/reports"))
