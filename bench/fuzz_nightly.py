"""The fuzz suite (tests/test_fuzz.py) with hypothesis' ``nightly`` profile: 10,000 cases per test.

``make test`` runs the ``ci`` profile (a few hundred cases, derandomized); this runs the long,
randomised one, so ``make bench`` exercises it. It runs pytest in a subprocess (SQLite; also
PostgreSQL when ``CIPS_TEST_DATABASE_URL`` is set, as in the suite), exits non-zero when any test
fails, and prints one JSON object as its last line: profile, tests passed/failed, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="nightly", help="hypothesis profile of tests/test_fuzz.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "fuzz.xml"
        env = dict(os.environ, HYPOTHESIS_PROFILE=args.profile, PYTHONPATH=str(ROOT))
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_fuzz.py"), "-q", "-p", "no:cacheprovider",
             f"--junitxml={report}"], cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        suite = ET.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    print(f"fuzz ({args.profile}): {passed} passed, {counts['failures'] + counts['errors']} failed in {seconds:.0f} s")
    print(json.dumps({"profile": args.profile, "passed": passed, "failed": counts["failures"] + counts["errors"],
                      "skipped": counts["skipped"], "seconds": round(seconds, 1)}))  # fmt: skip
    return 0 if done.returncode == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
