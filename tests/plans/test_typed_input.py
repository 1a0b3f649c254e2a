"""Refused review and 督办单 forms come back with what the user typed and the error under its field;
nothing is saved."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from kepu.plans.models import OrderStatus, ReportStatus, SupervisionOrder, Task
from kepu.plans.services import reporting, supervision
from tests.typed import field_state
from tests.typed import refused_post as _refused

pytestmark = pytest.mark.django_db
TOO_LONG = "已召开专题会议并部署落实。" * 400  # beyond every reason / answer limit


@pytest.fixture
def order(cast: dict[str, Any], festival: Task, today: datetime.date) -> SupervisionOrder:
    order = supervision.order_issue(actor=cast["office"], task=festival, unit=cast["jiaoyu"].unit,
                                    requirement="请加快推进", due_date=today + datetime.timedelta(days=10))
    return supervision.order_sign(actor=cast["jiaoyu"], order=order)



def test_a_too_long_answer_comes_back_as_typed(as_user: Any, order: SupervisionOrder) -> None:
    response = _refused(as_user("jiaoyu"), reverse("plans:order_answer", args=[order.pk]), {"answer": TOO_LONG})
    text, error = field_state(response, "answer")
    assert text == TOO_LONG and "4000" in error
    order.refresh_from_db()
    assert order.status == OrderStatus.SIGNED and order.answer == ""


def test_an_empty_answer_is_refused_under_its_field(as_user: Any, order: SupervisionOrder) -> None:
    response = _refused(as_user("jiaoyu"), reverse("plans:order_answer", args=[order.pk]), {"answer": "  "})
    assert field_state(response, "answer")[1] == "请填写此项。"


def test_a_refused_close_and_return_keep_the_offices_text(cast: dict[str, Any], as_user: Any,
                                                          order: SupervisionOrder) -> None:
    supervision.order_answer(actor=cast["jiaoyu"], order=order, answer="已办")
    office = as_user("office")
    close = _refused(office, reverse("plans:order_close", args=[order.pk]), {"note": TOO_LONG})
    assert field_state(close, "note")[0] == TOO_LONG and field_state(close, "note")[1]
    reject = _refused(office, reverse("plans:order_reject", args=[order.pk]), {"reason": TOO_LONG})
    assert field_state(reject, "reason")[0] == TOO_LONG and "1000" in field_state(reject, "reason")[1]
    blank = _refused(office, reverse("plans:order_reject", args=[order.pk]), {"reason": ""})
    assert field_state(blank, "reason")[1] == "请填写此项。"


def test_a_return_without_a_reason_stays_on_the_report(cast: dict[str, Any], as_user: Any, festival: Task) -> None:
    period = festival.plan.periods.order_by("start").first()
    report = reporting.report_save(actor=cast["jiaoyu"], task=festival, period=period, progress=30, text="已推进",
                                   submit=True)
    office = as_user("office")
    blank = _refused(office, reverse("plans:report_return", args=[report.pk]), {"reason": " "})
    assert field_state(blank, "reason")[1] == "请填写此项。"
    long = _refused(office, reverse("plans:report_return", args=[report.pk]), {"reason": TOO_LONG})
    assert field_state(long, "reason")[0] == TOO_LONG
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


# ---------------------------------------------------------------- assessment forms

@pytest.fixture
def rubric(cast: dict[str, Any], small_plan: Any) -> Any:
    from kepu.plans.services import assessment

    rubric = assessment.rubric_create(actor=cast["office"], plan=small_plan, year=small_plan.start_year)
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    return rubric


def test_a_too_long_correction_reason_comes_back_as_typed(cast: dict[str, Any], as_user: Any, rubric: Any) -> None:
    from decimal import Decimal

    from kepu.plans.services import assessment

    manual = rubric.items.get(auto_metric="")
    for scored in rubric.assessments.filter(withdrawn_at=None):
        assessment.score_adjust(actor=cast["office"], assessment=scored, item=manual, points=Decimal(15), note="总结")
    assessment.rubric_publish(actor=cast["office"], rubric=rubric)
    url = reverse("plans:rubric_correct", args=[rubric.pk])
    long = _refused(as_user("office"), url, {"reason": TOO_LONG})
    text, error = field_state(long, "reason")
    assert text == TOO_LONG and "1000" in error
    blank = _refused(as_user("office"), url, {"reason": "  "})
    assert field_state(blank, "reason") == ("  ", "发布更正须填写更正原因")


def test_a_withdrawal_without_reason_comes_back_under_its_box(as_user: Any, rubric: Any) -> None:
    score = rubric.assessments.filter(withdrawn_at=None).first()
    response = _refused(as_user("office"), reverse("plans:assessment_withdraw", args=[score.pk]), {"reason": ""})
    assert field_state(response, "reason") == ("", "请填写此项。")


def test_a_refused_manual_score_keeps_the_typed_note_under_its_row(as_user: Any,
                                                                                   rubric: Any) -> None:
    manual = rubric.items.get(auto_metric="")
    manual.evidence_required = True
    manual.save()
    score = rubric.assessments.filter(withdrawn_at=None).first()
    prefix = f"i{manual.pk}"
    data = {"prefix": prefix, f"{prefix}-item": str(manual.pk), f"{prefix}-points": "99", f"{prefix}-note": "已查阅"}
    response = _refused(as_user("office"), reverse("plans:assessment_adjust", args=[score.pk]), data)
    text, error = field_state(response, f"{prefix}-note")
    assert text == "已查阅" and "得分应在 0—" in error


# ---------------------------------------------------------------- indicator forms

def _input_value(response: Any, name: str) -> str:
    import html
    import re

    found = re.search(r'<input[^>]*name="' + re.escape(name) + r'"[^>]*>', response.content.decode())
    assert found is not None, f"no input {name!r}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return html.unescape(value.group(1)) if value else ""


def _field_error(response: Any, field_id: str) -> str:
    import re

    page = response.content.decode()
    block = page.split(f'id="{field_id}"', 1)[1].split('<div class="mb-3">', 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", e).strip() for e in re.findall(r'<div class="invalid-feedback[^"]*">.*?</div>',
                                                                          block, re.S))


def test_a_refused_indicator_edit_keeps_the_typed_fields(as_user: Any, small_plan: Any) -> None:
    indicator = small_plan.indicators.first()
    data = {"name": "参与学生人次（修订）", "unit_of_measure": "人次", "target": "abc", "direction": "ge",
            "source": "reports", "aggregation": "latest"}
    response = _refused(as_user("office"), reverse("plans:indicator_edit", args=[indicator.pk]), data)
    assert _input_value(response, "name") == "参与学生人次（修订）"
    assert _input_value(response, "target") == "abc" and _field_error(response, "id_target") == "请输入数字。"
    indicator.refresh_from_db()
    assert indicator.name != "参与学生人次（修订）"


def test_a_negative_value_for_an_indicator_that_cannot_be_negative_comes_back_under_its_field(
        as_user: Any, small_plan: Any) -> None:
    from kepu.plans.models import Indicator, IndicatorSource

    indicator = small_plan.indicators.first()
    Indicator.objects.filter(pk=indicator.pk).update(source=IndicatorSource.MANUAL)  # values entered by hand
    assert not indicator.allows_negative
    response = _refused(as_user("office"), reverse("plans:indicator_value_add", args=[indicator.pk]),
                        {"year": str(YEAR_NOW), "value": "-5"})
    assert _input_value(response, "value") == "-5" and "负" in _field_error(response, "id_value")
    assert _input_value(response, "year") == str(YEAR_NOW)


YEAR_NOW = datetime.date.today().year


# ---------------------------------------------------------------- the rubric's new item

def _item_box(response: Any, box_id: str) -> tuple[str, str]:
    """(the value kept in the new-item box `box_id`, the error(s) shown right under it)."""
    import html
    import re

    page = response.content.decode()
    found = re.search(r'<(?:input|select)[^>]*id="' + re.escape(box_id) + r'"[^>]*>(.*?)</div>', page, re.S)
    assert found is not None, f"no box {box_id!r}"
    tag = found.group(0)
    value = re.search(r'value="([^"]*)"', tag.split(">", 1)[0])
    errors = re.findall(r'<div class="invalid-feedback[^"]*">(.*?)</div>', tag + "</div>", re.S)
    return html.unescape(value.group(1) if value else ""), " ".join(html.unescape(e).strip() for e in errors)


def test_a_refused_new_rubric_item_comes_back_as_typed_with_the_error_under_its_field(as_user: Any,
                                                                                     rubric: Any) -> None:
    url = reverse("plans:rubric_item_add", args=[rubric.pk])
    response = _refused(as_user("office"), url, {"title": "科普讲座覆盖率", "points": "abc",
                                                 "description": "按讲座场次计分", "evidence_required": "on"})
    assert _item_box(response, "item-title") == ("科普讲座覆盖率", "")
    assert _item_box(response, "item-points") == ("abc", "请输入数字。")
    assert _item_box(response, "item-description")[0] == "按讲座场次计分"
    assert 'id="item-evidence" checked' in response.content.decode()


def test_a_new_rubric_item_the_service_refuses_names_its_field(as_user: Any, rubric: Any) -> None:
    url = reverse("plans:rubric_item_add", args=[rubric.pk])
    response = _refused(as_user("office"), url, {"title": "超分项目", "points": "150"})
    assert _item_box(response, "item-points") == ("150", "分值应大于 0 且不超过 100")
    assert _item_box(response, "item-title")[0] == "超分项目"


# ---------------------------------------------------------------- the import review's plan settings

def test_refused_import_settings_come_back_as_typed_with_the_error_under_the_field(cast: dict[str, Any],
                                                                                  as_user: Any) -> None:
    from kepu.plans.services import importing
    from tests.plans.authz import SMALL_PLAN
    from tests.typed import input_state

    draft = importing.draft_create(actor=cast["office"], text=SMALL_PLAN)
    parsed = draft.parsed["settings"]
    data = {"title": "改过的方案名称", "kind": parsed["kind"], "start_year": "20x6", "end_year": "2026",
            "reporting_cycle": parsed["reporting_cycle"], "reporting_from": "2026-01-01"}
    response = _refused(as_user("office"), reverse("plans:import_settings", args=[draft.pk]), data)
    assert input_state(response, "title")[0] == "改过的方案名称"
    assert input_state(response, "start_year") == ("20x6", "请输入整数。")
    draft.refresh_from_db()
    assert draft.parsed["settings"]["title"] != "改过的方案名称"


def test_a_refused_new_unit_in_the_import_review_comes_back_as_typed(cast: dict[str, Any], as_user: Any) -> None:
    """No kind chosen: the typed name and region stay, the error stands under 类别, the row stays open."""
    from kepu.org.models import Region, Unit
    from kepu.plans.services import importing
    from tests.typed import input_state

    text = "授权测试市2026年全民科学素质工作要点\n一、青少年科学素质提升\n1.开展科技节活动。（牵头单位：市某新设中心）\n"
    draft = importing.draft_create(actor=cast["office"], text=text)
    assert draft.parsed["unknown_units"] == ["市某新设中心"]
    town = Region.objects.get(name="张浦镇")
    data = {"prefix": "new0", "new0-written": "市某新设中心", "new0-name": "昆山市某新设科普中心",
            "new0-region": str(town.pk), "new0-kind": "", "new0-is_member": "0"}
    response = _refused(as_user("office"), reverse("plans:import_create_unit", args=[draft.pk]), data)
    assert input_state(response, "new0-name") == ("昆山市某新设科普中心", "")
    page = response.content.decode()
    assert f'<option value="{town.pk}" selected>' in page
    kind = page.split('name="new0-kind"')[1].split('name="new0-is_member"')[0]
    assert 'class="invalid-feedback' in kind
    assert 'class="collapse show" id="new-unit-0"' in page
    assert not Unit.objects.filter(name="昆山市某新设科普中心").exists()
