"""The shared fixed-window counter store (cips.counters): atomic, all or nothing, shared by every
process that reads the same store, keyed by HMACs, driven by an injected clock (no sleeping)."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import select

from cips.counters import Check, CounterStore, default_url
from cips.models import CounterWindow
from tests.helpers import Clock


def store_at(path, clock: Clock) -> CounterStore:
    store = CounterStore(f"sqlite:///{path}", "secret")
    store.clock = clock
    return store


def test_counters_fixed_window_counts_refuses_and_resets_on_the_clock(tmp_path) -> None:
    clock = Clock(1_800_000_000.0)  # a whole minute
    store = store_at(tmp_path / "c.sqlite3", clock)
    check = Check("k", "3/minute")
    assert [store.hit(check) for _ in range(3)] == [None, None, None]
    clock.now += 20
    refused = store.hit(check)
    assert refused is not None and refused.check == check and refused.retry_after == 40
    assert store.peek(check) == 3  # the refusal did not count
    assert store.hit(Check("other", "3/minute")) is None
    clock.now += 40  # the next minute
    assert store.hit(check) is None and store.peek(check) == 1


def test_counters_several_checks_are_all_or_nothing(tmp_path) -> None:
    store = store_at(tmp_path / "c.sqlite3", Clock())
    device, address = Check("device", "10/minute"), Check("address", "2/minute")
    assert store.hit(device, address) is None
    assert store.hit(device, address) is None
    refused = store.hit(device, address)
    assert refused is not None and refused.check == address
    assert store.peek(device) == 2  # not counted when the address was refused


def test_counters_byte_budget_counts_costs_and_refuses_what_cannot_fit(tmp_path) -> None:
    store = store_at(tmp_path / "c.sqlite3", Clock())
    assert store.hit(Check("bytes", "1000/hour", cost=600)) is None
    assert store.hit(Check("bytes", "1000/hour", cost=500)) is not None  # 1,100 > 1,000: nothing added
    assert store.hit(Check("bytes", "1000/hour", cost=400)) is None
    assert store.peek(Check("bytes", "1000/hour")) == 1000
    assert store.hit(Check("huge", "1000/hour", cost=1001)) is not None


def test_counters_two_stores_on_one_file_share_counts(tmp_path) -> None:
    clock = Clock()
    first, second = store_at(tmp_path / "c.sqlite3", clock), store_at(tmp_path / "c.sqlite3", clock)
    check = Check("shared", "4/minute")
    assert [(first if n % 2 else second).hit(check) is None for n in range(5)] == [True] * 4 + [False]


def _hammer(path: str, n: int, results) -> None:
    store = CounterStore(f"sqlite:///{path}", "secret")
    store.clock = lambda: 1_800_000_010.0
    results.put(sum(store.hit(Check("race", "150/minute")) is None for _ in range(n)))


def test_counters_concurrent_processes_never_grant_more_than_the_limit(tmp_path) -> None:
    path = str(tmp_path / "c.sqlite3")
    CounterStore(f"sqlite:///{path}", "s").clear()
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    workers = [ctx.Process(target=_hammer, args=(path, 100, results)) for _ in range(3)]
    for w in workers:
        w.start()
    granted = [results.get(timeout=120) for _ in workers]
    for w in workers:
        w.join()
    assert sum(granted) == 150  # 300 attempts from 3 processes, exactly the limit granted


def _open_together(path: str, barrier, results) -> None:
    store = CounterStore(f"sqlite:///{path}", "secret")
    barrier.wait()
    try:
        store.hit(Check("first", "100/minute"))
        results.put("ok")
    except Exception as exc:  # reported to the parent, which names it in the failure
        results.put(repr(exc))


def test_counters_processes_opening_a_new_store_at_once_all_work(tmp_path) -> None:
    """Gunicorn's workers open a fresh store together; only one can create its table."""
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(3):
        path = str(tmp_path / f"fresh{round_}.sqlite3")
        barrier, results = ctx.Barrier(4), ctx.Queue()
        workers = [ctx.Process(target=_open_together, args=(path, barrier, results)) for _ in range(4)]
        for w in workers:
            w.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for w in workers:
            w.join()
        assert outcomes == ["ok"] * 4


def test_counters_keys_are_hmacs_and_finished_windows_are_swept(tmp_path) -> None:
    clock = Clock()
    store = store_at(tmp_path / "c.sqlite3", clock)
    key = store.key("api-addr", "198.51.100.7")
    assert "198.51.100.7" not in key and key.startswith("api-addr:") and len(key) <= 96
    assert key == store.key("api-addr", "198.51.100.7") != CounterStore("x", "other").key("api-addr", "198.51.100.7")
    store.hit(Check(key, "5/minute"))
    clock.now += 3600
    store.hit(Check("later", "5/minute"))
    with store.engine.connect() as conn:
        assert conn.execute(select(CounterWindow.__table__.c.key)).scalars().all() == ["later"]


def test_counters_default_store_is_a_file_beside_sqlite_and_the_database_otherwise() -> None:
    assert default_url("sqlite:////srv/cips/cips.sqlite3") == "sqlite:////srv/cips/cips.sqlite3-counters"
    pg = "postgresql+psycopg://u:p@h/cips"
    assert default_url(pg) == pg


def test_counters_app_store_is_shared_by_two_app_instances(app, database_url) -> None:
    from cips import create_app

    other = create_app(dict(app.config))
    try:
        clock = Clock()
        app.extensions["cips_counters"].clock = other.extensions["cips_counters"].clock = clock
        check = Check("two-apps", "3/minute")
        with app.app_context():
            from cips.counters import counters

            assert counters().hit(check) is None and counters().hit(check) is None
        with other.app_context():
            assert counters().hit(check) is None
            assert counters().hit(check) is not None
    finally:
        other.extensions["cips_counters"].dispose()
        other.extensions["cips_engine"].dispose()
