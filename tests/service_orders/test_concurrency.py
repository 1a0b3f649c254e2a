"""Two claimers can never both win an order: many workers, each with its own database connection,
race to accept the same open orders. Every order ends with exactly one winner, and every loser is
told in Chinese that another team was faster."""

from __future__ import annotations

import datetime
import random
import threading
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kepu.core.errors import WorkflowError
from kepu.org.models import Region, RoleAssignment, Unit, User
from kepu.service_orders import services
from kepu.service_orders.models import EventKind, OrderEvent, OrderStatus, ServiceOrder
from kepu.volunteers.public import MembershipStatus, TeamMembership, Volunteer, VolunteerTeam

LOSER_MESSAGE = "该工单已被其他队伍接单"


@dataclass
class Worker:
    leader: User
    team: VolunteerTeam
    wins: list[int] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _teams_and_leaders(count: int) -> list[Worker]:
    town = Region.objects.get(code="320583106000")
    unit = Unit.objects.get(name="昆山市科学技术协会")
    workers = []
    for n in range(count):
        team = VolunteerTeam.objects.create(name=f"竞速测试分队{n}", level="squad", unit=unit, region=town)
        team.path = f"/{team.pk}/"
        team.save(update_fields=["path"])
        user = User.objects.create(username=f"racer{n}", password="!", display_name=f"队长{n}")
        RoleAssignment.objects.create(user=user, role="volunteer")
        volunteer = Volunteer.objects.create(user=user, name=f"队长{n}", id_number=f"32058319900101{n:04d}",
                                             phone=f"1390000{n:04d}", region=town)
        TeamMembership.objects.create(volunteer=volunteer, team=team, status=MembershipStatus.APPROVED,
                                      is_leader=True)
        workers.append(Worker(leader=User.objects.get(pk=user.pk), team=team))
    return workers


def _open_orders(count: int) -> list[int]:
    town = Region.objects.get(code="320583106000")
    now = timezone.now()
    unit = Unit.objects.get(name="昆山市科学技术协会")
    orders = ServiceOrder.objects.bulk_create([
        ServiceOrder(title=f"抢单测试{n}", category="youth", requester_name="测试", requester_phone="13700000000",
                     town=town, region=town, address="测试地址", scheduled_at=now + datetime.timedelta(days=3),
                     headcount=10, status=OrderStatus.CLAIMED, placed_at=now, stage_started_at=now,
                     dispatch_unit=unit)
        for n in range(count)
    ])
    return [o.pk for o in orders]


def _race(workers: list[Worker], order_ids: list[int]) -> None:
    start = threading.Barrier(len(workers))

    def run(worker: Worker, seed: int) -> None:
        # Half the workers go in order, half shuffled: orders are contested both head-on and at random.
        ids = list(order_ids)
        if seed % 2:
            random.Random(seed).shuffle(ids)
        try:
            start.wait()
            for pk in ids:
                order = ServiceOrder.objects.get(pk=pk)
                try:
                    services.order_accept(actor=worker.leader, order=order, team=worker.team)
                except WorkflowError as exc:
                    worker.losses.append(exc.message)
                else:
                    worker.wins.append(pk)
        except Exception as exc:  # a crash would otherwise vanish with the thread
            worker.errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w, n)) for n, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _check(workers: list[Worker], order_ids: list[int]) -> None:
    assert [e for w in workers for e in w.errors] == []
    wins = Counter(pk for w in workers for pk in w.wins)
    assert set(wins) == set(order_ids), "every order has a winner"
    assert max(wins.values()) == 1, "no order is won twice"
    attempts = len(workers) * len(order_ids)
    assert sum(len(w.losses) for w in workers) == attempts - len(order_ids)
    assert all(LOSER_MESSAGE in message for w in workers for message in w.losses)
    rows = ServiceOrder.objects.filter(pk__in=order_ids)
    assert rows.filter(status=OrderStatus.ACCEPTED).count() == len(order_ids)
    winner_of = {pk: w.team.pk for w in workers for pk in w.wins}
    assert all(team == winner_of[pk] for pk, team in rows.values_list("pk", "team_id"))
    accepted = Counter(OrderEvent.objects.filter(order_id__in=order_ids, kind=EventKind.ACCEPTED)
                       .values_list("order_id", flat=True))
    assert set(accepted.values()) == {1}, "exactly one acceptance recorded per order"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_teams_race_for_the_same_1000_open_orders_on_postgresql(on_postgres: bool) -> None:
    assert on_postgres, "this test needs PostgreSQL (KEPU_TEST_DB=postgres)"
    call_command("load_demo", verbosity=0)  # transactional tests start from an emptied database
    workers = _teams_and_leaders(8)
    order_ids = _open_orders(1000)
    _race(workers, order_ids)
    _check(workers, order_ids)


@pytest.mark.django_db(transaction=True)
def test_four_teams_race_for_the_same_open_orders_on_any_database() -> None:
    call_command("load_demo", verbosity=0)
    workers = _teams_and_leaders(4)
    order_ids = _open_orders(60)
    _race(workers, order_ids)
    _check(workers, order_ids)


def test_the_losers_message_is_plain_chinese() -> None:
    assert services.LOST["accept"] == LOSER_MESSAGE
