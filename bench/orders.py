"""Benchmark: the order workflow under a race, and the order list at a city's volume, on PostgreSQL.

Run: ``make bench-orders`` (= ``DATABASE_URL=postgres://… python -m bench.orders``). See bench/README.md.

1. Creates a throwaway database beside the one DATABASE_URL names (``KEPU_BENCH_DB``, or a name derived
   from the user and the checkout: bench/throwaway.py), migrates it and loads
   the demo city's regions, units and users (no other demo data).
2. Puts N open orders in the open pool (抢单池) and K teams, each led by its own user; starts K worker
   processes, each with its own connection, which all try to accept every order (half in order,
   half shuffled) through ``services.order_accept`` — the same call the pages and the API make.
3. Counts winners from what the workers report and from the database (accepted orders, acceptance
   events per order); a double win is an order won more than once by either count.
4. Bulk-creates orders up to 100,000 and times the order list (the selector's first page and count,
   and the whole page rendered) for the office, a town and a team leader.
5. Drops the database.

The last line reads ``claims: orders=<n> winners=<n> double_wins=<n> rate=<claims per second>`` where
rate is claim attempts (won and lost) per second of wall time over the race.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from typing import Any

from bench.throwaway import create_database as _create
from bench.throwaway import database_name
from bench.throwaway import drop_database as _drop

BENCH_DB = database_name("orders")
TOWN = "320583106000"


# ---------------------------------------------------------------- the throwaway database

def create_database(url: str) -> str:
    return _create(url, BENCH_DB)


def drop_database(url: str) -> None:
    _drop(url, BENCH_DB)


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KEPU_DEBUG"] = "0"  # no query log in memory; the timings are production-like
    import django

    django.setup()


# ---------------------------------------------------------------- set-up

def prepare(n_orders: int, n_teams: int) -> tuple[list[int], list[tuple[int, int]]]:
    """The demo city's people, K teams with a leader each, N orders in the open pool."""
    from django.core.management import call_command

    from kepu.org.demo import load as load_org

    call_command("migrate", verbosity=0)
    load_org()
    teams = [_team_with_leader(n) for n in range(n_teams)]
    return _open_orders(n_orders), teams


def _team_with_leader(n: int) -> tuple[int, int]:
    from kepu.org.models import Region, RoleAssignment, Unit, User
    from kepu.volunteers.public import MembershipStatus, TeamMembership, Volunteer, VolunteerTeam

    town = Region.objects.get(code=TOWN)
    team = VolunteerTeam.objects.create(name=f"压测分队{n:02d}", level="squad", region=town,
                                        unit=Unit.objects.get(name="昆山市科学技术协会"))
    team.path = f"/{team.pk}/"
    team.save(update_fields=["path"])
    user = User.objects.create(username=f"bench_leader{n:02d}", password="!", display_name=f"压测队长{n:02d}")
    RoleAssignment.objects.create(user=user, role="volunteer")
    volunteer = Volunteer.objects.create(user=user, name=f"压测队长{n:02d}", id_number=f"3205831990{n:08d}",
                                         phone=f"139{n:08d}", region=town)
    TeamMembership.objects.create(volunteer=volunteer, team=team, status=MembershipStatus.APPROVED, is_leader=True)
    return team.pk, user.pk


def _orders(count: int, *, status: str, offset: int = 0) -> list[Any]:
    import datetime

    from django.utils import timezone

    from kepu.org.models import Region, Unit
    from kepu.service_orders.models import ServiceOrder

    towns = list(Region.objects.filter(level="town"))
    units = list(Unit.objects.filter(is_member=True))
    now = timezone.now()
    rng = random.Random(offset)
    statuses = ("placed", "dispatched", "claimed", "accepted", "in_service", "completed", "rated", "cancelled")
    rows = []
    for n in range(count):
        town = towns[(n + offset) % len(towns)]
        state = status or rng.choice(statuses)
        rows.append(ServiceOrder(
            title="压测工单", category="health", requester_name="压测", requester_phone=f"137{(n + offset) % 10**8:08d}",
            town=town, region=town, address="压测地址", scheduled_at=now + datetime.timedelta(days=3),
            headcount=20, status=state, placed_at=now - datetime.timedelta(minutes=n + offset),
            stage_started_at=now, dispatch_unit=None if state == "placed" else units[n % len(units)],
        ))
    return rows


def _open_orders(count: int) -> list[int]:
    from kepu.service_orders.models import ServiceOrder

    created = ServiceOrder.objects.bulk_create(_orders(count, status="claimed"), batch_size=2000)
    return [o.pk for o in created]


# ---------------------------------------------------------------- the race

def _worker(url: str, team_id: int, leader_id: int, order_ids: list[int], seed: int, start: Any,
            results: Any) -> None:
    _setup_django(url)
    from django.db import connection

    from kepu.core.errors import WorkflowError
    from kepu.org.models import User
    from kepu.service_orders import services
    from kepu.service_orders.models import ServiceOrder
    from kepu.volunteers.public import VolunteerTeam

    team = VolunteerTeam.objects.get(pk=team_id)
    leader = User.objects.get(pk=leader_id)
    ids = list(order_ids)
    if seed % 2:
        random.Random(seed).shuffle(ids)
    from django.urls import reverse

    reverse("service_orders:order_list")  # warm up: the URL map imports every view module once
    connection.ensure_connection()
    wins, losses, odd = [], 0, []
    start.wait()
    began = time.perf_counter()
    for pk in ids:
        order = ServiceOrder.objects.get(pk=pk)
        try:
            services.order_accept(actor=leader, order=order, team=team)
        except WorkflowError as exc:
            losses += 1
            if "已被其他队伍接单" not in exc.message:
                odd.append(exc.message)
        else:
            wins.append(pk)
    results.put((team_id, wins, losses, odd, time.perf_counter() - began))
    connection.close()


def race(url: str, order_ids: list[int], teams: list[tuple[int, int]]) -> dict[str, Any]:
    context = mp.get_context("spawn")  # each worker a fresh interpreter with its own connection
    start, results = context.Barrier(len(teams) + 1), context.Queue()
    workers = [context.Process(target=_worker, args=(url, team, leader, order_ids, n, start, results))
               for n, (team, leader) in enumerate(teams)]
    for worker in workers:
        worker.start()
    start.wait()  # every worker is set up: the clock starts when all of them go
    began = time.perf_counter()
    reports = [results.get() for _ in workers]
    wall = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return {"reports": reports, "wall": wall}


def count_winners(order_ids: list[int], reports: list[Any]) -> tuple[int, int]:
    from collections import Counter

    from kepu.service_orders.models import EventKind, OrderEvent, ServiceOrder

    reported = Counter(pk for _, wins, _, _, _ in reports for pk in wins)
    events = Counter(OrderEvent.objects.filter(order_id__in=order_ids, kind=EventKind.ACCEPTED)
                     .values_list("order_id", flat=True))
    accepted = ServiceOrder.objects.filter(pk__in=order_ids, status="accepted").count()
    double = {pk for pk, n in reported.items() if n > 1} | {pk for pk, n in events.items() if n > 1}
    if not accepted == len(reported) == len(events):
        print(f"  inconsistent: {accepted} accepted rows, {len(reported)} reported wins, {len(events)} events")
    return sum(reported.values()), len(double)


# ---------------------------------------------------------------- the list at volume

def fill_to(total: int) -> int:
    from kepu.service_orders.models import ServiceOrder

    existing = ServiceOrder.objects.count()
    offset = existing
    while offset < total:
        batch = min(10_000, total - offset)
        ServiceOrder.objects.bulk_create(_orders(batch, status="", offset=offset), batch_size=5_000)
        offset += batch
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE service_orders_serviceorder")
    return ServiceOrder.objects.count()


def _timed(fn: Any, runs: int = 15) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def list_latency(teams: list[tuple[int, int]]) -> list[tuple[str, float, float, float, float]]:
    from django.test import Client

    from kepu.org.models import User
    from kepu.service_orders.selectors import order_list

    people = [("纲要办 office", User.objects.get(username="office")),
              ("张浦镇 zhangpu", User.objects.get(username="zhangpu")),
              ("队长 team leader", User.objects.get(pk=teams[0][1]))]
    rows = []
    for label, user in people:
        def selector(user: Any = user) -> None:
            orders = order_list(user=user)
            orders.count()
            list(orders[:20])

        client = Client()
        client.force_login(user, backend="kepu.org.auth.KepuModelBackend")

        def page(client: Any = client) -> None:
            assert client.get("/office/orders/").status_code == 200

        rows.append((label, *_timed(selector), *_timed(page)))
    return rows


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="抢单并发与工单列表压测（PostgreSQL）")
    parser.add_argument("--orders", type=int, default=2000, help="抢单池中的工单数")
    parser.add_argument("--teams", type=int, default=8, help="并发抢单的队伍（进程）数")
    parser.add_argument("--list-orders", type=int, default=100_000, help="列表测时的工单总量")
    parser.add_argument("--keep", action="store_true", help="结束后保留压测数据库")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("bench.orders needs DATABASE_URL=postgres://… (make bench-orders sets it)", file=sys.stderr)
        return 2
    bench_url = create_database(url)
    try:
        return _run(bench_url, args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)


def _run(bench_url: str, args: argparse.Namespace) -> int:
    _setup_django(bench_url)
    began = time.perf_counter()
    order_ids, teams = prepare(args.orders, args.teams)
    print(f"set-up: {BENCH_DB} migrated, {len(order_ids)} open orders, {len(teams)} teams "
          f"({time.perf_counter() - began:.1f} s)")
    result = race(bench_url, order_ids, teams)
    reports, wall = result["reports"], result["wall"]
    winners, double_wins = count_winners(order_ids, reports)
    attempts = sum(len(wins) + losses for _, wins, losses, _, _ in reports)
    odd = [m for *_, messages, _ in reports for m in messages]
    for team_id, wins, losses, _, elapsed in sorted(reports):
        print(f"  worker team {team_id}: won {len(wins):5d}, lost {losses:5d}, {elapsed:6.2f} s")
    print(f"race: {attempts} claim attempts by {len(teams)} processes in {wall:.2f} s; "
          f"{winners / wall:.0f} accepted transitions/s; losers told another team won: "
          f"{attempts - winners - len(odd)}/{attempts - winners}")
    if odd:
        print(f"  unexpected refusals: {odd[:3]}")
    began = time.perf_counter()
    total = fill_to(args.list_orders)
    print(f"list: {total} orders in the table ({time.perf_counter() - began:.1f} s to bulk-create)")
    for label, sel_median, sel_p95, page_median, page_p95 in list_latency(teams):
        print(f"  {label:18s} selector (count + first 20) median {sel_median:6.1f} ms p95 {sel_p95:6.1f} ms; "
              f"page median {page_median:6.1f} ms p95 {page_p95:6.1f} ms")
    print(f"claims: orders={len(order_ids)} winners={winners} double_wins={double_wins} rate={attempts / wall:.0f}")
    return 0 if double_wins == 0 and winners == len(order_ids) else 1


if __name__ == "__main__":
    sys.exit(main())
