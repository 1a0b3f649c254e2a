"""Benchmark: every page and endpoint of the authorisation tables, at demo volume and at a city's volume.

Run: ``make bench-pages`` (= ``DATABASE_URL=postgres://… python -m bench.pages [--scale 1.0]``). See
bench/README.md.

1. Creates a throwaway database beside the one DATABASE_URL names (``KEPU_BENCH_DB``, or a name derived
   from the user and the checkout: bench/throwaway.py), with its files in a temporary directory;
   migrates it and loads the demo city and the rows the authorisation tables' cases point at.
2. At demo volume: every GET case of the tables (tests/*/authz.py, the cases tests/test_authorization.py
   walks) for the office and for one scoped role allowed to reach it — one warm-up request, then one
   request whose SQL statements are counted.
3. Loads the city-scale dataset (``load_city_scale``), then for the same cases and users: a warm-up
   request with its statements counted, then the median of five timed requests (three when the
   warm-up took over a second, one when it took over five). Server time = the Django test client's
   in-process request time with DEBUG off.
4. Prints the table (worst first) and drops the database.

"growing" means more statements at city volume than at demo volume for the same case and user. An
export's time is the time to hand back the request (a large export queued in the background counts
by that). The last line is
``pages: cases=<n> over_50ms=<n> p95_ms=<ms> max_ms=<ms> growing_queries=<n> exports_over_2s=<n>``,
each case counted once per user it was measured for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from bench.throwaway import create_database, database_name, drop_database, url_for

BENCH_DB = database_name("pages")
# The scoped role a case is measured for besides the office: the first of these it allows.
SCOPED = ("zhangpu", "jiaoyu", "volunteer", "expert", "resident")


@dataclass
class Result:
    case: str
    user: str
    export: bool
    demo_queries: int = -1
    city_queries: int = -1
    status: int = 0
    median_ms: float = 0.0
    samples: int = 0
    error: str = ""

    @property
    def growing(self) -> bool:
        return self.demo_queries >= 0 and self.city_queries > self.demo_queries


def _setup_django(url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["KEPU_VAR_DIR"] = var_dir  # uploaded and exported files go with the database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KEPU_DEBUG"] = "0"  # no query log in memory; the timings are production-like
    import django

    django.setup()


# ---------------------------------------------------------------- the cases, from the tests' tables

def _cases() -> list[Any]:
    from tests.test_authorization import CASES

    return [c for c in CASES if c.method.lower() == "get"]


def _cast() -> dict[str, Any]:
    from kepu.org.models import User

    users = User.objects.select_related("unit", "unit__region", "region").prefetch_related("role_assignments")
    return {u.username: u for u in users if u.username in ("admin", "office", *SCOPED)}


def _objects(cast: dict[str, Any]) -> dict[str, Any]:
    """What the `objs` fixture of tests/test_authorization.py gives its cases, made once for the run."""
    from tests.test_authorization import case_objects

    return case_objects(cast)


def _visitors(case: Any) -> list[str | None]:
    from tests.authz import PortalPage

    users: list[str | None] = ["office"] if "office" in case.allowed else []
    users += [next(u for u in SCOPED if u in case.allowed)] if any(u in case.allowed for u in SCOPED) else []
    if not users and (getattr(case, "public", False) or (isinstance(case, PortalPage) and case.anonymous == "open")):
        users = [None]
    return users


def _is_export(case: Any) -> bool:
    return str(getattr(case, "url_name", getattr(case, "path", ""))).endswith(("_export", "/export"))


def _requester(case: Any, user: str | None, cast: dict[str, Any], objs: dict[str, Any]) -> Any:
    """A function making the case's request as the user, as the authorisation test makes it."""
    from django.core.cache import cache

    from tests.authz import Endpoint
    from tests.test_authorization import _auth_headers, _call_api, _client, _request_page

    if isinstance(case, Endpoint):
        headers = _auth_headers(user, cast)

        def call() -> Any:
            cache.clear()  # rate limits live in the cache: repeated requests are not throttled
            return _call_api(case, objs, headers)
        return call
    client = _client(cast, user)

    def get() -> Any:
        cache.clear()
        return _request_page(client, case, objs)
    return get


def _counted(request: Any) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = request()
    return response.status_code, len(queries.captured_queries)


def measure(cases: list[Any], cast: dict[str, Any], objs: dict[str, Any], results: dict[tuple[str, str], Result],
            *, city: bool) -> None:
    for case in cases:
        for user in _visitors(case):
            key = (case.id, user or "anonymous")
            result = results.setdefault(key, Result(case.id, user or "anonymous", _is_export(case)))
            from django.db import transaction

            try:
                with transaction.atomic():  # a savepoint: one failing request cannot spoil the others
                    _measure_one(_requester(case, user, cast, objs), result, city=city)
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {str(exc)[:80]}"


def _measure_one(request: Any, result: Result, *, city: bool) -> None:
    began = time.perf_counter()
    request()  # warm-up: the first request fills caches (permissions, URL map, templates)
    warm = time.perf_counter() - began
    status, count = _counted(request)
    if not city:
        result.demo_queries = count
        return
    result.city_queries, result.status = count, status
    runs = 5 if warm < 1 else 3 if warm < 5 else 1
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        request()
        samples.append((time.perf_counter() - began) * 1000)
    result.median_ms, result.samples = statistics.median(samples), runs


# ---------------------------------------------------------------- the table

def report(results: list[Result]) -> str:
    rows = sorted(results, key=lambda r: -r.median_ms)
    print(f"{'ms':>9} {'n':>2} {'demo q':>6} {'city q':>6} {'st':>3}  {'user':10} case")
    for r in rows:
        flags = " ".join(f for f, on in (("GROWING", r.growing), ("EXPORT", r.export),
                                         ("ERROR " + r.error, bool(r.error)),
                                         ("HTTP-ERROR", r.status >= 400)) if on)
        print(f"{r.median_ms:9.1f} {r.samples:2d} {r.demo_queries:6d} {r.city_queries:6d} {r.status:3d}  "
              f"{r.user:10} {r.case}  {flags}")
    timed = [r.median_ms for r in rows if r.samples]
    p95 = sorted(timed)[max(0, int(len(timed) * 0.95) - 1)] if timed else 0.0
    return (f"pages: cases={len(timed)} over_50ms={sum(t > 50 for t in timed)} p95_ms={p95:.0f} "
            f"max_ms={max(timed, default=0):.0f} growing_queries={sum(r.growing for r in rows)} "
            f"exports_over_2s={sum(r.export and r.median_ms > 2000 for r in rows)}")


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="授权表中全部页面与接口在城市规模数据下的耗时与查询数（PostgreSQL）")
    parser.add_argument("--scale", type=float, default=1.0, help="城市规模数据的倍数")
    parser.add_argument("--keep", action="store_true", help="结束后保留压测数据库")
    parser.add_argument("--reuse", action="store_true",
                        help="沿用上次 --keep 保留的城市规模数据库（只迁移，不重新装载，不计演示规模查询数）")
    parser.add_argument("--only", default="", help="只测用例编号中含此文字的用例（逗号分隔多个）")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("bench.pages needs DATABASE_URL=postgres://… (make bench-pages sets it)", file=sys.stderr)
        return 2
    bench_url = url_for(url, BENCH_DB) if args.reuse else create_database(url, BENCH_DB)
    try:
        if args.keep or args.reuse:
            # A kept database keeps its files and its data key (KEPU_VAR_DIR/data_key): without that key
            # a later --reuse could not read one phone number or ID number of it.
            var_dir = os.environ.get("KEPU_BENCH_VAR_DIR") or os.path.join(tempfile.gettempdir(), f"{BENCH_DB}-files")
            os.makedirs(var_dir, exist_ok=True)
            return _run(bench_url, var_dir, args)
        with tempfile.TemporaryDirectory(prefix="kepu-bench-pages-") as var_dir:
            return _run(bench_url, var_dir, args)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            drop_database(url, BENCH_DB)


def _vacuum() -> None:
    """What autovacuum does some minutes after a bulk load: the visibility map that lets PostgreSQL answer
    the figures from index-only scans. load_city_scale is one transaction, where VACUUM cannot run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _run(bench_url: str, var_dir: str, args: argparse.Namespace) -> int:
    _setup_django(bench_url, var_dir)
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not args.reuse:
        call_command("load_demo", verbosity=0)
    wanted = [w for w in args.only.split(",") if w]
    cases = [c for c in _cases() if not wanted or any(w in c.id for w in wanted)]
    print(f"set-up: {BENCH_DB} migrated ({time.perf_counter() - began:.0f} s); {len(cases)} GET cases")
    results: dict[tuple[str, str], Result] = {}
    if not args.reuse:
        began = time.perf_counter()
        _phase(cases, results, city=False)
        print(f"demo volume: statements counted ({time.perf_counter() - began:.0f} s)")
        began = time.perf_counter()
        call_command("load_city_scale", scale=args.scale, verbosity=0)
        _vacuum()
        print(f"city volume: load_city_scale --scale {args.scale:g} ({time.perf_counter() - began:.0f} s)")
    began = time.perf_counter()
    _phase(cases, results, city=True)
    print(f"city volume: timed ({time.perf_counter() - began:.0f} s)")
    print(report(list(results.values())))
    return 0


def _phase(cases: list[Any], results: dict[tuple[str, str], Result], *, city: bool) -> None:
    """One pass over the cases in a transaction rolled back at its end: the cases' own rows
    (case_objects) and whatever the requests write never stay, so a kept database can be measured
    again and again (--reuse)."""
    from django.db import transaction

    with transaction.atomic():
        cast = _cast()
        measure(cases, cast, _objects(cast), results, city=city)
        transaction.set_rollback(True)


if __name__ == "__main__":
    sys.exit(main())
