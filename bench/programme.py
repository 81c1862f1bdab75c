"""Benchmark: the programme view with 50 administrations x 3 waves x 2 questionnaires.

Every administration sends one signed aggregate file per wave (national rows and four regions per
questionnaire and factor); the programme instance verifies and imports them all, then an observer
opens the comparison page. The baseline measured in the same run is the same instance with 5
administrations x 1 wave, so the ratio shows how the page grows with the programme.

PostgreSQL (the programme instance's database): ``CIPS_BENCH_DATABASE_URL`` (default the local
``cips_bench`` database, wiped); ``--sqlite``, or that database unreachable (said on stderr), uses a
temporary SQLite file instead.
Last line: one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from analysis.aggregates import NATIONAL, SCHEMA, SCHEMA_VERSION, canonical_bytes  # noqa: E402
from analysis.factors import FACTOR_IDS  # noqa: E402
from bench.ingest import pg_reachable, prepare  # noqa: E402
from cips.services import signing  # noqa: E402

PG_URL = os.environ.get("CIPS_BENCH_DATABASE_URL", "postgresql+psycopg://cips:cips@127.0.0.1:5432/cips_bench")
REGIONS = ("north", "south", "east", "west")
PAGE_LOADS = 5


def signed_file(key: Ed25519PrivateKey, name: str, wave: int, rng: np.random.Generator) -> bytes:
    rows = []
    for questionnaire in ("officials", "private_sector"):
        for factor in FACTOR_IDS:
            for stratum in (NATIONAL, *(f"bg_region={r}" for r in REGIONS)):
                n = int(rng.integers(40, 400)) * (4 if stratum == NATIONAL else 1)
                index = float(np.clip(rng.normal(58 + 2 * wave, 12), 0, 100))
                rows.append({"questionnaire": questionnaire, "stratum": stratum, "factor": factor, "n": n,
                             "index": round(index, 2), "ci_low": round(index - 3, 2), "ci_high": round(index + 3, 2),
                             "effective_n": float(n)})  # fmt: skip
    document = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "administration": name,
                "campaign": f"CIPS wave {wave}", "wave": wave, "level": "bg_region",
                "generated": f"202{wave}-06-01T00:00:00+00:00", "min_cell": 5, "rows": rows}  # fmt: skip
    return json.dumps({"document": document, "signature": signing.sign(key, canonical_bytes(document))}).encode()


def run(url: str, administrations: int, waves: int) -> dict[str, float]:
    from cips import create_app
    from cips.extensions import db
    from cips.models import Role, UserCreate
    from cips.services.programme import import_file, register_member
    from cips.services.users import create_user

    prepare(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FORMS_DIR": str(ROOT / "forms"),
                      "WTF_CSRF_ENABLED": False})  # fmt: skip
    rng = np.random.default_rng(administrations)
    files = []
    with app.app_context():
        for i in range(administrations):
            key = Ed25519PrivateKey.generate()
            register_member(db.session, "bench", f"Customs {i:02d}", signing.public_key_text(key))
            files += [signed_file(key, f"Customs {i:02d}", wave, rng) for wave in range(1, waves + 1)]
        start = time.perf_counter()
        for data in files:
            import_file(db.session, "bench", data)
        import_seconds = time.perf_counter() - start
        create_user(db.session, UserCreate(email="observer@bench.org", role=Role.observer,
                                           password="bench observer password"), actor="bench")  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"email": "observer@bench.org", "password": "bench observer password"})
    times = []
    for _ in range(PAGE_LOADS):
        start = time.perf_counter()
        page = client.get("/programme/?highlight=Administration 01")
        times.append((time.perf_counter() - start) * 1000)
        assert page.status_code == 200 and "Administration 01" in page.text, page.status_code
    app.extensions["cips_engine"].dispose()
    return {"files": len(files), "import_ms_per_file": round(import_seconds * 1000 / len(files), 1),
            "page_ms_median": round(statistics.median(times), 1)}  # fmt: skip


def main() -> None:
    problem = None if "--sqlite" in sys.argv else pg_reachable(PG_URL)
    if problem:  # as bench/ingest.py: a machine without the bench database still measures (make bench)
        print(f"postgresql: unreachable ({problem}); measured SQLite only", file=sys.stderr)
    if "--sqlite" in sys.argv or problem:
        folder = tempfile.mkdtemp(prefix="cips-bench-")
        url, baseline_url = f"sqlite:///{folder}/programme.sqlite3", f"sqlite:///{folder}/baseline.sqlite3"
    else:
        url = baseline_url = PG_URL  # wiped by each run
    baseline = run(baseline_url, administrations=5, waves=1)
    full = run(url, administrations=50, waves=3)
    print(
        f"50 administrations x 3 waves: page {full['page_ms_median']} ms (median of {PAGE_LOADS}), "
        f"import {full['import_ms_per_file']} ms/file; 5 x 1: page {baseline['page_ms_median']} ms",
        file=sys.stderr,
    )
    print(json.dumps({"database": url.split(":", 1)[0].split("+")[0], "files": full["files"],
                      "page_ms": full["page_ms_median"], "import_ms_per_file": full["import_ms_per_file"],
                      "baseline_page_ms": baseline["page_ms_median"],
                      "ratio": round(full["page_ms_median"] / baseline["page_ms_median"], 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
