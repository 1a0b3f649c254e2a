"""load_city_scale: a real city's volumes on top of the demo city, scaled down here to 0.2 %."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kepu.backoffice.cityscale import MARK, PLAN_TITLE, VOLUMES, volumes

SCALE = 0.002


@pytest.fixture
def loaded(db: Any) -> dict[str, int]:
    from kepu.core.models import AuditEntry
    from kepu.org.models import Unit

    before = {"units": Unit.objects.count(), "audit": AuditEntry.objects.count()}
    call_command("load_city_scale", scale=SCALE, verbosity=0)
    return before


def test_the_volumes_scale_with_the_factor(loaded: dict[str, int]) -> None:
    from kepu.core.models import AuditEntry
    from kepu.literacy.models import SurveyWave
    from kepu.org.models import Unit
    from kepu.plans.models import ProgressReport, Task
    from kepu.service_orders.models import ServiceOrder
    from kepu.volunteers.models import ServiceHours, Volunteer

    n = volumes(SCALE)
    assert n["orders"] == round(VOLUMES["orders"] * SCALE) == 200
    assert Unit.objects.count() - loaded["units"] == round((VOLUMES["units"] - loaded["units"]) * SCALE)
    assert Task.objects.filter(plan__title=PLAN_TITLE).count() == n["tasks"]
    assert ProgressReport.objects.filter(task__plan__title=PLAN_TITLE).count() == n["reports"]
    assert ServiceOrder.objects.count() >= n["orders"]
    assert ServiceHours.objects.filter(reason="活动纸质签到表补录").count() == n["hours"]
    assert Volunteer.objects.filter(name__startswith="志愿者").count() == n["volunteers"]
    assert AuditEntry.objects.filter(object_repr="城市规模数据").count() == n["audit"]
    waves = SurveyWave.objects.filter(name__endswith=MARK)
    assert waves.count() == 3 and all(w.data_rows > 1000 and w.has_data for w in waves)


def test_the_rows_are_valid_and_their_states_reachable(loaded: dict[str, int]) -> None:
    from kepu.core.text import is_id_number, is_mobile
    from kepu.plans.models import ProgressReport
    from kepu.service_orders.models import ServiceOrder
    from kepu.volunteers.models import Volunteer

    for volunteer in Volunteer.objects.filter(name__startswith="志愿者"):
        assert is_id_number(volunteer.id_number) and is_mobile(volunteer.phone)  # sealed, and opens again
        volunteer.full_clean(validate_unique=False)
    for order in ServiceOrder.objects.filter(title="社区科普讲座").prefetch_related("events"):
        order.full_clean(validate_unique=False)
        events = list(order.events.all())
        assert events[0].kind == "placed" and events[-1].to_status == order.status
        times = [e.created_at for e in events]
        assert times == sorted(times) and order.placed_at <= order.stage_started_at
        if order.status in ("accepted", "in_service", "completed", "rated"):
            assert order.team_id and order.dispatch_unit_id and order.accepted_at
        assert (order.rating is not None) == (order.status == "rated")
    for report in ProgressReport.objects.filter(task__plan__title=PLAN_TITLE):
        assert (report.submitted_at is None) == (report.status == "draft")
        assert (report.reviewed_at is not None) == (report.status in ("approved", "returned"))


def test_a_second_load_is_refused_and_changes_nothing(loaded: dict[str, int]) -> None:
    from kepu.service_orders.models import ServiceOrder

    orders = ServiceOrder.objects.count()
    with pytest.raises(CommandError, match="已载入"):
        call_command("load_city_scale", scale=SCALE, verbosity=0)
    assert ServiceOrder.objects.count() == orders
