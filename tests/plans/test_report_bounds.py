"""A progress report never stores a figure that cannot be: an indicator that cannot be negative (a count,
an amount, a share) refuses a negative value in the form, the API and the service, and the report's free
text is bounded. Each refusal is Chinese and changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kepu.core.errors import ValidationFailed
from kepu.org.services import token_create
from kepu.plans.models import REPORT_TEXT_MAX_LENGTH, Indicator, ProgressReport, Task
from kepu.plans.services import ledger, reporting
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def _save(cast: dict[str, Any], task: Task, period: Any, **kwargs: Any) -> ProgressReport:
    values = {"progress": 40, "text": "举办了第一届青少年科技节。", "submit": True, **kwargs}
    return reporting.report_save(actor=cast["jiaoyu"], task=task, period=period, **values)


def test_a_new_indicator_cannot_be_negative_by_default(festival: Task) -> None:
    assert Indicator.objects.get(task=festival).allows_negative is False


def test_the_service_refuses_a_negative_count(cast: dict[str, Any], festival: Task, first_quarter: Any) -> None:
    indicator = Indicator.objects.get(task=festival)
    before = db_fingerprint()
    with pytest.raises(ValidationFailed) as caught:
        _save(cast, festival, first_quarter, figures={indicator.pk: Decimal("-5")})
    assert caught.value.message == f"指标「{indicator.name}」不能为负数（填写了 -5）"
    assert db_fingerprint() == before


def test_an_indicator_that_may_fall_below_zero_takes_a_negative_value(cast: dict[str, Any], festival: Task,
                                                                      first_quarter: Any) -> None:
    indicator = Indicator.objects.get(task=festival)
    ledger.indicator_update(actor=cast["office"], indicator=indicator, allows_negative=True)
    report = _save(cast, festival, first_quarter, figures={indicator.pk: Decimal("-2.5")})
    assert report.figures.get().value == Decimal("-2.5")


def test_the_report_form_refuses_a_negative_count(cast: dict[str, Any], as_user: Any, festival: Task,
                                                  first_quarter: Any) -> None:
    indicator = Indicator.objects.get(task=festival)
    url = f"/office/plans/tasks/{festival.pk}/periods/{first_quarter.pk}/report/"
    response = as_user("jiaoyu").post(url, {"progress": 35, "text": "已举办", "problems": "",
                                            f"figure_{indicator.pk}": "-900", "submit": "1"})
    assert f"指标「{indicator.name}」不能为负数" in response.content.decode()
    assert not ProgressReport.objects.filter(task=festival, period=first_quarter).exists()


def test_the_api_refuses_a_negative_count(cast: dict[str, Any], festival: Task, first_quarter: Any) -> None:
    indicator = Indicator.objects.get(task=festival)
    _, key = token_create(actor=cast["jiaoyu"], name="测试")
    response = Client().post("/api/v1/plans/reports", json.dumps({
        "task_id": festival.pk, "period_id": first_quarter.pk, "progress": 30, "text": "已举办",
        "figures": {str(indicator.pk): "-1"}}), content_type="application/json",
        headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 422
    assert json.loads(response.content)["detail"] == f"指标「{indicator.name}」不能为负数（填写了 -1）"
    assert not ProgressReport.objects.filter(task=festival, period=first_quarter).exists()


def test_a_hand_entered_indicator_value_cannot_be_negative(cast: dict[str, Any], festival: Task) -> None:
    indicator = Indicator.objects.get(task=festival)
    with pytest.raises(ValidationFailed, match="不能为负数"):
        ledger.indicator_record_value(actor=cast["office"], indicator=indicator, year=2025, value=Decimal(-1))
    assert not indicator.values.exists()


def test_overlong_report_text_is_refused_not_cut(cast: dict[str, Any], festival: Task, first_quarter: Any) -> None:
    before = db_fingerprint()
    with pytest.raises(ValidationFailed, match=f"进展情况不能超过 {REPORT_TEXT_MAX_LENGTH} 个字"):
        _save(cast, festival, first_quarter, text="进" * (REPORT_TEXT_MAX_LENGTH + 1))
    with pytest.raises(ValidationFailed, match="存在问题及下步打算不能超过"):
        _save(cast, festival, first_quarter, problems="问" * 3001)
    assert db_fingerprint() == before


def test_the_report_form_bounds_its_text(cast: dict[str, Any], as_user: Any, festival: Task,
                                         first_quarter: Any) -> None:
    url = f"/office/plans/tasks/{festival.pk}/periods/{first_quarter.pk}/report/"
    response = as_user("jiaoyu").post(url, {"progress": 35, "text": "进" * (REPORT_TEXT_MAX_LENGTH + 1),
                                            "problems": "", "submit": "1"})
    assert response.status_code == 200 and f'maxlength="{REPORT_TEXT_MAX_LENGTH}"' in response.content.decode()
    assert not ProgressReport.objects.filter(task=festival, period=first_quarter).exists()
