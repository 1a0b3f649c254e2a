"""Assessment: a yearly rubric, auto items scored from the ledger's own data, manual items with evidence,
grade bands, publication on the portal, scores withdrawn with a reason and never deleted."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.plans.models import Assessment, AssessmentRubric, Grade
from kepu.plans.services import assessment, ledger, reporting, supervision
from kepu.plans.services.assessment import grade_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(cast: dict[str, Any], small_plan: Any) -> AssessmentRubric:
    return assessment.rubric_create(actor=cast["office"], plan=small_plan, year=small_plan.start_year)


def _scores(rubric: AssessmentRubric, unit: Any) -> dict[str, tuple[Decimal, str]]:
    live = Assessment.objects.get(rubric=rubric, unit=unit, withdrawn_at=None)
    return {s.item.title: (s.points, s.basis) for s in live.item_scores.select_related("item")}


def test_auto_items_are_scored_from_reports_indicators_and_lights(cast: dict[str, Any], small_plan: Any,
                                                                  rubric: AssessmentRubric) -> None:
    q1, q2 = small_plan.periods.order_by("start")[:2]
    festival = small_plan.tasks.get(title="开展青少年科技节")
    schools = small_plan.tasks.get(title="建设科学教育示范学校")
    indicator = festival.indicators.get()  # 5000 人次
    on_time = reporting.report_save(actor=cast["jiaoyu"], task=festival, period=q1, progress=30, text="已启动",
                                    submit=True, figures={indicator.pk: Decimal(2500)})
    reporting.report_approve(actor=cast["office"], report=on_time)
    late = reporting.report_save(actor=cast["jiaoyu"], task=schools, period=q1, progress=20, text="已启动",
                                 submit=True)
    reporting.report_return(actor=cast["office"], report=late, reason="补充材料")
    # Scored on the day after the second quarter's deadline: 2 lead tasks × 2 periods due = 4 reports owed.
    day = q2.due_date + datetime.timedelta(days=1)
    first = on_time.first_submitted_at
    assert first is not None
    from kepu.plans.models import ProgressReport

    ProgressReport.objects.filter(pk=late.pk).update(first_submitted_at=first + datetime.timedelta(days=200))
    ProgressReport.objects.filter(pk=on_time.pk).update(
        first_submitted_at=datetime.datetime.combine(q1.due_date, datetime.time(9), tzinfo=first.tzinfo))
    ledger.task_update(actor=cast["office"], task=festival, progress=100)
    supervision.recompute_plan(small_plan, day)
    assessment.rubric_compute(actor=cast["office"], rubric=rubric, today=day)
    scores = _scores(rubric, cast["jiaoyu"].unit)
    assert scores["进展按时报送"] == (Decimal("5.00"), "应报 4 份，按时 1 份")
    assert scores["进展审核通过"] == (Decimal("5.00"), "已审核 2 份，通过 1 份")
    assert scores["目标指标完成"] == (Decimal("15.00"), "1 个指标平均完成度 50.0%")
    assert scores["任务推进情况"][1] == "牵头任务 2 项，绿灯 1 项"
    assert scores["工作机制与特色亮点"] == (Decimal("0.00"), "待纲要办评分")


def test_manual_items_need_their_evidence_and_set_the_grade(cast: dict[str, Any], rubric: AssessmentRubric) -> None:
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    edu = Assessment.objects.get(rubric=rubric, unit=cast["jiaoyu"].unit)
    manual = rubric.items.get(auto_metric="")
    with pytest.raises(ValidationFailed, match="佐证"):
        assessment.score_adjust(actor=cast["office"], assessment=edu, item=manual, points=Decimal(18), note="")
    with pytest.raises(ValidationFailed, match="0—20"):
        assessment.score_adjust(actor=cast["office"], assessment=edu, item=manual, points=Decimal(21), note="x")
    assessment.score_adjust(actor=cast["office"], assessment=edu, item=manual, points=Decimal(18),
                            note="年度总结及经费文件")
    edu.refresh_from_db()
    assert edu.total == sum(s.points for s in edu.item_scores.all())
    assert edu.grade == grade_for(edu.total, Decimal(100), rubric)


def test_grade_bands_are_inclusive_thresholds_on_a_hundred_point_scale(rubric: AssessmentRubric) -> None:
    assert [grade_for(Decimal(v), Decimal(100), rubric) for v in (90, "89.99", 80, 60, "59.9")] == [
        Grade.EXCELLENT, Grade.GOOD, Grade.GOOD, Grade.PASS, Grade.FAIL]
    assert grade_for(Decimal(45), Decimal(50), rubric) == Grade.EXCELLENT  # 90 of 100 once scaled


def _score_everyone(cast: dict[str, Any], rubric: AssessmentRubric) -> None:
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    manual = rubric.items.get(auto_metric="")
    for scored in rubric.assessments.all():
        assessment.score_adjust(actor=cast["office"], assessment=scored, item=manual, points=Decimal(15), note="依据")


def test_publishing_fixes_the_scores_and_lists_them_on_the_portal(cast: dict[str, Any], rubric: AssessmentRubric,
                                                                 client: Any) -> None:
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    with pytest.raises(ValidationFailed, match="未评分"):
        assessment.rubric_publish(actor=cast["office"], rubric=rubric)
    _score_everyone(cast, rubric)
    assert client.get(f"/plans/assessments/{rubric.pk}/").status_code == 404, "not before publication"
    assessment.rubric_publish(actor=cast["office"], rubric=rubric)
    edu = Assessment.objects.get(rubric=rubric, unit=cast["jiaoyu"].unit)
    with pytest.raises(WorkflowError, match="已发布"):
        assessment.score_adjust(actor=cast["office"], assessment=edu, item=rubric.items.get(auto_metric=""),
                                points=Decimal(20), note="x")
    page = client.get(f"/plans/assessments/{rubric.pk}/").content.decode()
    assert "昆山市教育局" in page and str(edu.total.normalize()) in page
    assert rubric.title in client.get("/plans/").content.decode()


def test_a_score_is_withdrawn_with_a_reason_never_deleted_and_scored_again(cast: dict[str, Any],
                                                                          rubric: AssessmentRubric) -> None:
    _score_everyone(cast, rubric)
    assessment.rubric_publish(actor=cast["office"], rubric=rubric)
    edu = Assessment.objects.get(rubric=rubric, unit=cast["jiaoyu"].unit)
    with pytest.raises(PermissionError):
        edu.delete()
    with pytest.raises(ValidationFailed, match="原因"):
        assessment.assessment_withdraw(actor=cast["office"], assessment=edu, reason=" ")
    assessment.assessment_withdraw(actor=cast["office"], assessment=edu, reason="指标数据录入有误")
    assert assessment.rubric_compute(actor=cast["office"], rubric=rubric) == 1  # only the withdrawn unit
    rescored = Assessment.objects.get(rubric=rubric, unit=cast["jiaoyu"].unit, withdrawn_at=None)
    assert rescored.pk != edu.pk and assessment.can_adjust(rescored)
    assert Assessment.objects.filter(rubric=rubric, unit=cast["jiaoyu"].unit).count() == 2


def test_a_liaison_sees_only_the_own_score_and_only_once_published(cast: dict[str, Any], rubric: AssessmentRubric,
                                                                   as_user: Any) -> None:
    _score_everyone(cast, rubric)
    page = as_user("jiaoyu").get(f"/office/plans/assessments/{rubric.pk}/")
    assert page.context["scores"] == []
    assessment.rubric_publish(actor=cast["office"], rubric=rubric)
    page = as_user("jiaoyu").get(f"/office/plans/assessments/{rubric.pk}/")
    assert [s.unit for s in page.context["scores"]] == [cast["jiaoyu"].unit]
    other = Assessment.objects.get(rubric=rubric, unit=cast["nongye"].unit)
    assert as_user("jiaoyu").get(f"/office/plans/assessments/scores/{other.pk}/").status_code == 404


def test_a_year_has_one_rubric_per_plan(cast: dict[str, Any], rubric: AssessmentRubric, small_plan: Any) -> None:
    with pytest.raises(ValidationFailed, match="已存在"):
        assessment.rubric_create(actor=cast["office"], plan=small_plan, year=rubric.year)
