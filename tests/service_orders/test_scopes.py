"""Data scopes: a town's staff see only their town's orders, a department the orders dispatched to it,
a team the orders offered to it, accepted by it or in the open pool — in the list, its count, the
export, the figures and the API alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db.models import Q

from kepu.core.models import AuditCategory, AuditEntry
from kepu.org.models import Region, Unit
from kepu.service_orders import stats
from kepu.service_orders.models import OrderStatus, ServiceOrder
from kepu.volunteers.public import MembershipStatus, TeamMembership
from tests.org.sheets import read_xlsx
from tests.service_orders.conftest import ZHOUSHI, bearer, community

pytestmark = pytest.mark.django_db
S = OrderStatus


def _listed(client: Any, query: str = "") -> set[int]:
    response = client.get(f"/office/orders/?{query}")
    assert response.status_code == 200
    return set(response.context["page_obj"].paginator.object_list.values_list("pk", flat=True))


def _api(user: Any, client: Any) -> set[int]:
    headers = bearer(user)
    found, page = set(), 1
    while True:
        body = json.loads(client.get(f"/api/v1/orders/?page={page}", headers=headers).content)
        found |= {row["id"] for row in body["items"]}
        if len(found) >= body["count"]:
            return found
        page += 1


def test_a_towns_staff_see_only_their_towns_orders_everywhere(cast: dict[str, Any], as_user: Any,
                                                              order_in: Any) -> None:
    mine, other = order_in(S.PLACED), order_in(S.PLACED, region=community(ZHOUSHI))
    town = Region.objects.get(code="320583106000")
    expected = set(ServiceOrder.objects.filter(region__path__startswith=town.path).values_list("pk", flat=True))
    client = as_user("zhangpu")
    assert mine.pk in expected and other.pk not in expected
    assert _listed(client) == expected
    exported = read_xlsx(client.get("/office/orders/export/").content)
    assert {row[0] for row in exported[1:]} == {o.number for o in ServiceOrder.objects.filter(pk__in=expected)}
    assert _api(cast["zhangpu"], client) == expected
    assert stats.figures(user=cast["zhangpu"]).overall.total == len(expected)
    assert {r.label for r in stats.figures(user=cast["zhangpu"]).by_town} == {"张浦镇"}


def test_a_town_filter_never_widens_the_scope(as_user: Any) -> None:
    zhoushi = Region.objects.get(code=ZHOUSHI)
    assert _listed(as_user("zhangpu"), f"town={zhoushi.pk}") == set()


def test_a_department_sees_the_orders_dispatched_to_it(cast: dict[str, Any], as_user: Any, order_in: Any) -> None:
    ours = order_in(S.DISPATCHED)
    theirs = order_in(S.DISPATCHED, unit=Unit.objects.get(name="昆山市农业农村局"))
    listed = _listed(as_user("jiaoyu"))
    assert listed == set(ServiceOrder.objects.filter(dispatch_unit=cast["jiaoyu"].unit).values_list("pk", flat=True))
    assert ours.pk in listed and theirs.pk not in listed
    assert as_user("jiaoyu").get(f"/office/orders/{theirs.pk}/").status_code == 404
    assert AuditEntry.objects.filter(actor=cast["jiaoyu"], category=AuditCategory.DENIED).exists()


def test_a_team_sees_orders_offered_to_it_accepted_by_it_or_in_the_open_pool(crew: Any, as_user: Any,
                                                                             order_in: Any) -> None:
    offered_to_a = order_in(S.CLAIMED, offered_team=crew.a)
    offered_to_b = order_in(S.CLAIMED, offered_team=crew.b)
    pool = order_in(S.CLAIMED)
    done_by_a = order_in(S.RATED, team=crew.a)
    placed = order_in(S.PLACED)
    # The demo volunteer is also a member of a demo squad: its orders count too.
    teams = set(TeamMembership.objects.filter(volunteer__user=crew.leader_a, status=MembershipStatus.APPROVED)
                .values_list("team_id", flat=True))
    expected = set(ServiceOrder.objects.filter(
        Q(team__in=teams) | Q(offered_team__in=teams) | Q(status=S.CLAIMED, offered_team__isnull=True),
    ).values_list("pk", flat=True))
    client = as_user("volunteer")
    listed = _listed(client)
    assert listed == expected
    assert {offered_to_a.pk, pool.pk, done_by_a.pk} <= listed
    assert not {offered_to_b.pk, placed.pk} & listed
    assert _listed(_client_for(crew.leader_b)) >= {offered_to_b.pk, pool.pk}
    assert client.get(f"/office/orders/{offered_to_b.pk}/").status_code == 404


def _client_for(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="kepu.org.auth.KepuModelBackend")
    return client


def test_a_plain_member_sees_the_team_orders_but_offers_no_buttons(crew: Any, order_in: Any) -> None:
    pool = order_in(S.CLAIMED)
    client = _client_for(crew.member_a)
    assert pool.pk in _listed(client)
    page = client.get(f"/office/orders/{pool.pk}/").content.decode()
    assert "form-accept" not in page


def test_a_volunteer_without_a_team_sees_no_pool(order_in: Any) -> None:
    from kepu.org.models import RoleAssignment, User

    loner = User.objects.create(username="loner", password="!", display_name="独行志愿者")
    RoleAssignment.objects.create(user=loner, role="volunteer")
    order_in(S.CLAIMED)
    assert _listed(_client_for(loner)) == set()


def test_the_office_sees_every_order(as_user: Any) -> None:
    assert _listed(as_user("office")) == set(ServiceOrder.objects.values_list("pk", flat=True))


def test_the_queue_shows_what_waits_for_the_user(cast: dict[str, Any], crew: Any, as_user: Any,
                                                 order_in: Any) -> None:
    placed, dispatched, pool = order_in(S.PLACED), order_in(S.DISPATCHED), order_in(S.CLAIMED)
    assert placed.pk in _listed(as_user("zhangpu"), "queue=mine")
    assert dispatched.pk not in _listed(as_user("zhangpu"), "queue=mine")
    assert dispatched.pk in _listed(as_user("jiaoyu"), "queue=mine")
    assert pool.pk in _listed(as_user("volunteer"), "queue=mine")
    assert placed.pk not in _listed(as_user("volunteer"), "queue=mine")


def test_a_resident_has_no_back_office_orders(as_user: Any) -> None:
    assert as_user("resident").get("/office/orders/").status_code == 403
