"""Benchmark: submission ingestion under gunicorn, driven by wrk, on SQLite (WAL) and PostgreSQL.

The app runs as in production (gunicorn, 2 workers on this 2-core machine) with one extra
route, ``POST /api/v1/bench/ceiling`` (only with ``CIPS_BENCH_ENDPOINTS=1``): it reads and
parses the same body and answers 201 without storing anything. ``wrk`` (C, so the client
does not saturate the cores first) keeps 50 connections busy posting realistic submissions
(the real ``forms/officials.yaml``, ~75 answers with open text), a fresh uuid per request
(Lua).

Three servers run side by side on the same database (``bench/_variants.py``): the app as
shipped (**durable** commits, group commit), **single** (durable, one commit per
submission) and **normal** (one commit per submission that does not wait for the disk, as
before durable commits). Each round measures the ceiling and the three in turn (interleaved
rounds: a neighbour's load on a shared machine hits them alike). Figures: req/s and p50/p99
of each, the **ratio** durable / ceiling (goal: durable storage costs at most 20 % of the
no-storage path on SQLite, 40 % on PostgreSQL: ratio >= 0.80 / 0.60), the cost of durable
commits (single / normal) and the group commit's gain (durable / single).

Afterwards the rows are counted: fewer rows than acknowledged requests exits 1.
PostgreSQL: ``CIPS_BENCH_DATABASE_URL`` (default the local ``cips_bench`` database, wiped);
when it is unreachable the script says so and measures SQLite only. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._variants import STATS_PREFIX, VARIANTS  # noqa: E402
from cips.demo.generator import DemoRespondents  # noqa: E402
from cips.instruments.loader import load_file  # noqa: E402
from cips.instruments.logic import logic_of, walk  # noqa: E402
from cips.instruments.schema import ItemType  # noqa: E402

PG_URL = os.environ.get("CIPS_BENCH_DATABASE_URL", "postgresql+psycopg://cips:cips@127.0.0.1:5432/cips_bench")
CAMPAIGN = "bench"
#: gunicorn per database (README "Benchmarks"): threads of one worker share a commit (group
#: commit), so each worker needs enough of them to fill a batch while the disk is busy.
GUNICORN = {"sqlite": "--workers 2 --threads 16", "postgresql": "--workers 2 --threads 8"}
#: Goal per database: durable storage costs at most 20 % (SQLite), 40 % (PostgreSQL) of the ceiling.
GOAL = {"sqlite": 0.80, "postgresql": 0.60}
#: Stands for the uuid in each body template; the Lua script puts a fresh one in its place.
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"

LUA = r"""
-- Each request: one of the body templates, with a uuid no other request (or run) used.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local prefixes, suffixes, counter, run = {}, {}, 0, 0
function init(args)
  run = tonumber(args[1]) or 0
  for line in io.lines(args[2]) do
    local at = string.find(line, "__PLACEHOLDER__", 1, true)
    table.insert(prefixes, string.sub(line, 1, at - 1))
    table.insert(suffixes, string.sub(line, at + 36))
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local n = (counter % #prefixes) + 1
  local id = string.format("%08x-%04x-4000-8000-%012x", run, tonumber(tid), counter)
  return wrk.format(nil, nil, nil, prefixes[n] .. id .. suffixes[n])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'CIPS_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("__PLACEHOLDER__", PLACEHOLDER)


def realistic_payloads(n: int, seed: int = 7, campaign: str = CAMPAIGN) -> list[dict[str, Any]]:
    """``n`` complete officials questionnaires (real item ids, four languages, open text).

    The demo generator gives realistic answer patterns; the items it skipped are answered
    here (Likert: the respondent's median point) and every open question gets a real open
    answer, so that each body is as heavy as a real submission gets — every item the respondent
    is asked (the skip logic decides: an item not asked would be refused) of officials.yaml.
    """
    definition = load_file(ROOT / "forms" / "officials.yaml").instrument
    assert definition is not None
    respondents = DemoRespondents(campaign, {"officials": (definition.version, definition)},
                                  ["en", "fr", "es", "pt"], seed=seed)  # fmt: skip
    texts = [a.text for a in respondents.open_answers]
    open_items = [item.id for item in definition.items() if item.type is ItemType.text]
    out = []
    likert = [item.id for item in definition.items() if item.type is ItemType.likert5]
    for index, body in enumerate(respondents.payloads(n)):
        answers = body["answers"]
        asked = walk(logic_of(definition), answers).asked
        # Scale points only: "don't know" and "refused" are answers, not points of the scale.
        given = sorted(v for k, v in answers.items() if k in likert and isinstance(v, int)) or [3]
        for item_id in likert:
            if item_id in asked:
                answers.setdefault(item_id, given[len(given) // 2])
        for k, item_id in enumerate(open_items):
            if item_id in asked:
                answers.setdefault(item_id, texts[(index * 7 + k * 13) % len(texts)])
        out.append(body)
    return out


def prepare(url: str) -> None:
    """A fresh, migrated database with the shipped questionnaires and campaign ``bench``."""
    from sqlalchemy import text

    from cips import create_app
    from cips.extensions import make_engine

    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FORMS_DIR": str(ROOT / "forms")})
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["instruments", "load"],
                 ["campaign", "create", CAMPAIGN, "--name", "Bench", "--administration", "Bench Customs",
                  "--instrument", "officials", "--languages", "en,fr,es,pt"]):  # fmt: skip
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"cips {' '.join(args)} failed: {result.output}")
    app.extensions["cips_engine"].dispose()


def stored_count(url: str) -> int:
    from sqlalchemy import text

    from cips.extensions import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
    engine.dispose()
    return int(n)


def pg_reachable(url: str) -> str | None:
    """None when PostgreSQL answers, else why not."""
    from sqlalchemy import text

    from cips.extensions import make_engine

    try:
        engine = make_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any driver error means "not here": report it and go on
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in its own process group, so that stopping it leaves no worker behind."""

    def __init__(self, url: str, workdir: Path, gunicorn_args: list[str], variant: str) -> None:
        env = dict(os.environ, CIPS_DATABASE_URL=url, CIPS_SECRET_KEY="bench", CIPS_BENCH_ENDPOINTS="1",
                   CIPS_API_RATE_LIMIT="100000000/minute", CIPS_API_ADDRESS_RATE_LIMIT="100000000/minute",
                   CIPS_FORMS_DIR=str(ROOT / "forms"))  # fmt: skip
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{variant}.log"
        self.log = self.log_path.open("ab")  # one log per variant, across its rounds
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "--bind", f"127.0.0.1:{self.port}", *gunicorn_args,
             f"bench._variants:create_app('{variant}')"],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not start; see {self.log_path}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def wrk(port: int, path: str, seconds: int, run: int, script: Path, bodies: Path, connections: int) -> dict[str, Any]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
           f"http://127.0.0.1:{port}{path}", "--", str(run), str(bodies)]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("CIPS_RESULT "))
    raw = json.loads(line.removeprefix("CIPS_RESULT "))
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50_ms": raw["p50_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000, "requests": raw["requests"], "errors": errors,
            # wrk counts a request once its response is read; a non-2xx/3xx response is a status error
            "acknowledged": raw["requests"] - raw["status_errors"]}  # fmt: skip


def combine(results: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = sum(r["requests"] / r["rps"] for r in results)
    return {"rps": sum(r["requests"] for r in results) / seconds, "requests": sum(r["requests"] for r in results),
            "errors": sum(r["errors"] for r in results), "p50_ms": max(r["p50_ms"] for r in results),
            "p99_ms": max(r["p99_ms"] for r in results),
            "rounds_rps": [round(r["rps"]) for r in results]}  # fmt: skip


def measure(url: str, name: str, args: argparse.Namespace, workdir: Path, script: Path, bodies: Path) -> dict:
    prepare(url)
    options = shlex.split(args.gunicorn or GUNICORN[name])
    # The ceiling is served by the shipped app; each variant's ingest by its own server. One server
    # runs at a time (each thread keeps its connections: three at once could exhaust PostgreSQL's
    # max_connections), started afresh for each round and warmed up before it is measured.
    routes = {
        "durable": [("ceiling", "/api/v1/bench/ceiling"), ("durable", "/api/v1/submissions")],
        "single": [("single", "/api/v1/submissions")],
        "normal": [("normal", "/api/v1/submissions")],
    }
    runs: dict[str, list[dict[str, Any]]] = {label: [] for paths in routes.values() for label, _path in paths}
    logs = {variant: workdir / f"gunicorn-{variant}.log" for variant in VARIANTS}
    acknowledged, run = 0, 0
    # Interleaved rounds: a neighbour's load on this shared machine hits every route alike.
    for _ in range(args.rounds):
        for variant, paths in routes.items():
            server = Server(url, workdir, options, variant)
            try:
                server.wait_ready()
                for label, path in paths:  # warm caches, connections and prepared statements
                    run += 1
                    result = wrk(server.port, path, args.warmup, run, script, bodies, args.connections)
                    acknowledged += result["acknowledged"] if label != "ceiling" else 0
                for label, path in paths:
                    run += 1
                    result = wrk(server.port, path, args.seconds, run, script, bodies, args.connections)
                    runs[label].append(result)
                    acknowledged += result["acknowledged"] if label != "ceiling" else 0
            finally:
                server.stop()
    stored = stored_count(url)  # after every server stopped: what is on disk

    figures = {label: combine(results) for label, results in runs.items()}
    commits = submissions = 0
    for line in logs["durable"].read_text(errors="replace").splitlines():  # each worker's count, on its exit
        if line.startswith(STATS_PREFIX):
            commits, submissions = commits + int(line.split()[1]), submissions + int(line.split()[2])
    batch = submissions / commits if commits else 0.0
    ceiling, durable = figures["ceiling"], figures["durable"]
    ratio = durable["rps"] / ceiling["rps"]
    fsync_cost = 1 - figures["single"]["rps"] / figures["normal"]["rps"]
    group_gain = durable["rps"] / figures["single"]["rps"]
    for label, f in figures.items():
        print(f"{name} {label:8} {f['rps']:6.0f} req/s (rounds {f['rounds_rps']}), p50 {f['p50_ms']:.1f} ms, "
              f"p99 {f['p99_ms']:.1f} ms, {f['errors']} errors", file=sys.stderr)  # fmt: skip
        if f["errors"]:  # say why: the server's log is in a temporary directory about to go
            log = logs["durable" if label == "ceiling" else label].read_text(errors="replace")
            problems = [line for line in log.splitlines() if "Error" in line or "WARNING" in line]
            print("\n".join(f"  {line[:300]}" for line in problems[:10]), file=sys.stderr)
    print(f"{name} (gunicorn {' '.join(options)}): durable / ceiling = {ratio:.2f} (goal >= {GOAL[name]:.2f}); "
          f"durable commits one by one cost {fsync_cost:.0%} of the non-durable rate; group commit x{group_gain:.2f}; "
          f"{batch:.1f} submissions per commit; {stored} rows stored, {acknowledged} requests acknowledged",
          file=sys.stderr)  # fmt: skip
    out = {f"{name}_ratio": round(ratio, 3), f"{name}_goal": GOAL[name], f"{name}_fsync_cost": round(fsync_cost, 3),
           f"{name}_group_gain": round(group_gain, 2), f"{name}_per_commit": round(batch, 1), f"{name}_stored": stored,
           f"{name}_acknowledged": acknowledged, f"{name}_gunicorn": " ".join(options)}  # fmt: skip
    for label, f in figures.items():
        out |= {f"{name}_{label}_rps": round(f["rps"]), f"{name}_{label}_p50_ms": round(f["p50_ms"], 1),
                f"{name}_{label}_p99_ms": round(f["p99_ms"], 1), f"{name}_{label}_errors": f["errors"]}  # fmt: skip
    if stored < acknowledged:
        out[f"{name}_lost"] = acknowledged - stored
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="measured duration per route and round")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved measurement rounds per route")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--gunicorn", help='gunicorn options for both databases: --gunicorn="--workers 2 --threads 4"')
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    figures: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
                               "machine": platform.machine(), "connections": args.connections,
                               "seconds": args.seconds * args.rounds}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="cips-bench-") as tmp:
        workdir = Path(tmp)
        script, bodies = workdir / "submit.lua", workdir / "bodies.jsonl"
        script.write_text(LUA)
        payloads = realistic_payloads(500)
        for body in payloads:
            body["uuid"] = PLACEHOLDER
        bodies.write_text("".join(json.dumps(b, ensure_ascii=False) + "\n" for b in payloads), encoding="utf-8")
        sizes = sorted(len(json.dumps(b, ensure_ascii=False).encode()) for b in payloads)
        answers = sum(len(b["answers"]) for b in payloads) / len(payloads)
        figures |= {"answers_mean": round(answers, 1), "body_bytes_median": sizes[len(sizes) // 2]}
        print(f"{len(payloads)} body templates: {answers:.1f} answers on average, median {sizes[len(sizes) // 2]} "
              f"bytes; {args.connections} connections, {args.rounds} x {args.seconds} s per route",
              file=sys.stderr)  # fmt: skip
        if args.only in (None, "sqlite"):
            figures |= measure(f"sqlite:///{workdir / 'bench.sqlite3'}", "sqlite", args, workdir, script, bodies)
        if args.only in (None, "postgresql"):
            why = pg_reachable(PG_URL)
            if why:
                print(f"postgresql: unreachable ({why}); measured SQLite only", file=sys.stderr)
                figures["postgresql"] = f"unreachable: {why}"
            else:
                figures |= measure(PG_URL, "postgresql", args, workdir, script, bodies)
    print(json.dumps(figures))
    lost = {k: v for k, v in figures.items() if k.endswith("_lost")}
    if lost:
        raise SystemExit(f"fewer rows stored than requests acknowledged: {lost}")


if __name__ == "__main__":
    main()
