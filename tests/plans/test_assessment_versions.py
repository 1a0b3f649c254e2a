"""Published means final: publishing freezes the ranked list as 第1版; nothing done to the live scores
afterwards (re-scoring, new units, new data, adjustments, withdrawals) changes it; a correction is the
next version, with its reason, and the old one stays readable. Only member units with a task in the
plan are scored, and an item without data scores 0 (缺数据), never full marks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditEntry
from kepu.core.permissions import describe_action
from kepu.core.transitions import AlreadyHandled
from kepu.org.models import Unit
from kepu.plans.models import (
    Assessment,
    AssessmentPublication,
    AssessmentRubric,
    PublishedScore,
    TaskUnit,
    UnitRole,
)
from kepu.plans.services import assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(cast: dict[str, Any], small_plan: Any) -> AssessmentRubric:
    return assessment.rubric_create(actor=cast["office"], plan=small_plan, year=small_plan.start_year)


def _score_everyone(cast: dict[str, Any], rubric: AssessmentRubric, points: int = 15) -> None:
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    manual = rubric.items.get(auto_metric="")
    for scored in rubric.assessments.filter(withdrawn_at=None):
        if assessment.can_adjust(scored):
            assessment.score_adjust(actor=cast["office"], assessment=scored, item=manual, points=Decimal(points),
                                    note="依据工作总结")


@pytest.fixture
def published(cast: dict[str, Any], rubric: AssessmentRubric) -> AssessmentRubric:
    _score_everyone(cast, rubric)
    assessment.rubric_publish(actor=cast["office"], rubric=rubric)
    rubric.refresh_from_db()
    return rubric


def _public_rows(client: Any, url: str) -> list[tuple[str, str, str]]:
    """(rank, unit, total) of the public results table."""
    import re

    page = client.get(url).content.decode()
    body = page.split('id="public-results"')[1].split("</table>")[0]
    return re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td class=\"text-end\">([^<]+)</td>", body)


def _live(rubric: AssessmentRubric, unit: Any) -> Assessment:
    return Assessment.objects.get(rubric=rubric, unit=unit, withdrawn_at=None)


def _rescore_with(cast: dict[str, Any], rubric: AssessmentRubric, unit: Any, points: int) -> Assessment:
    """The correction workflow's first half: withdraw a unit's score, score it again, adjust it."""
    assessment.assessment_withdraw(actor=cast["office"], assessment=_live(rubric, unit), reason="佐证材料补充")
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    rescored = _live(rubric, unit)
    assessment.score_adjust(actor=cast["office"], assessment=rescored, item=rubric.items.get(auto_metric=""),
                            points=Decimal(points), note="补充材料后重新评定")
    return rescored


# ---------------------------------------------------------------- published means final

def test_rescoring_and_adjusting_after_publication_change_nothing_on_the_public_page(
        cast: dict[str, Any], published: AssessmentRubric, client: Any) -> None:
    url = f"/plans/assessments/{published.pk}/"
    before = _public_rows(client, url)
    assert before and "第1版" in client.get(url).content.decode()
    edu = cast["jiaoyu"].unit
    _rescore_with(cast, published, edu, points=0)
    assert _live(published, edu).total != next(Decimal(t) for _r, n, t in before if n == edu.name)
    assert _public_rows(client, url) == before


def test_a_withdrawn_score_stays_on_the_published_list_with_its_rank(cast: dict[str, Any],
                                                                      published: AssessmentRubric,
                                                                      client: Any) -> None:
    url = f"/plans/assessments/{published.pk}/"
    before = _public_rows(client, url)
    first = Assessment.objects.get(rubric=published, rank=1, withdrawn_at=None)
    assessment.assessment_withdraw(actor=cast["office"], assessment=first, reason="数据有误")
    assert _public_rows(client, url) == before


def test_a_unit_given_a_task_after_publication_is_not_added_to_the_published_list(
        cast: dict[str, Any], published: AssessmentRubric, small_plan: Any, client: Any) -> None:
    newcomer = Unit.objects.filter(is_member=True, is_active=True).exclude(
        pk__in=published.assessments.values("unit_id")).first()
    assert newcomer is not None
    TaskUnit.objects.create(task=small_plan.tasks.first(), unit=newcomer, role=UnitRole.PARTICIPANT)
    assert assessment.rubric_compute(actor=cast["office"], rubric=published) == 1
    assert newcomer.name not in [n for _r, n, _t in _public_rows(client, f"/plans/assessments/{published.pk}/")]


def test_published_versions_refuse_changes_and_deletion(published: AssessmentRubric) -> None:
    score = PublishedScore.objects.filter(publication__rubric=published).first()
    assert score is not None
    score.total = Decimal(100)
    with pytest.raises(PermissionError):
        score.save()
    with pytest.raises(PermissionError):
        PublishedScore.objects.filter(pk=score.pk).update(total=Decimal(100))
    with pytest.raises(PermissionError):
        score.publication.delete()


def test_a_liaison_reads_the_published_figures_not_the_offices_working_scores(
        cast: dict[str, Any], published: AssessmentRubric, as_user: Any) -> None:
    edu = cast["jiaoyu"].unit
    frozen = PublishedScore.objects.get(publication__rubric=published, unit=edu)
    rescored = _rescore_with(cast, published, edu, points=0)
    page = as_user("jiaoyu").get(f"/office/plans/assessments/{published.pk}/")
    assert [(s.unit, s.total) for s in page.context["scores"]] == [(edu, frozen.total)]
    assert as_user("jiaoyu").get(f"/office/plans/assessments/scores/{rescored.pk}/").status_code == 404
    detail = as_user("jiaoyu").get(f"/office/plans/assessments/scores/{frozen.assessment_id}/")
    assert detail.context["figures"].total == frozen.total


# ---------------------------------------------------------------- corrections

def test_a_correction_needs_a_reason(cast: dict[str, Any], published: AssessmentRubric) -> None:
    with pytest.raises(ValidationFailed, match="更正原因"):
        assessment.rubric_correct(actor=cast["office"], rubric=published, reason="  ")
    assert published.publications.count() == 1


def test_a_blank_correction_from_the_page_is_refused_in_chinese(published: AssessmentRubric, as_user: Any) -> None:
    office = as_user("office")
    page = office.post(f"/office/plans/assessments/{published.pk}/correct/", {"reason": ""}, follow=True)
    assert "发布更正须填写更正原因" in page.content.decode()
    assert published.publications.count() == 1


def test_a_correction_is_the_next_version_and_the_old_one_stays_readable(
        cast: dict[str, Any], published: AssessmentRubric, client: Any, as_user: Any) -> None:
    edu = cast["jiaoyu"].unit
    url = f"/plans/assessments/{published.pk}/"
    first = _public_rows(client, url)
    rescored = _rescore_with(cast, published, edu, points=0)
    as_user("office").post(f"/office/plans/assessments/{published.pk}/correct/",
                           {"reason": "教育局佐证材料经复核不足"})
    page = client.get(url).content.decode()
    assert "第2版" in page and "教育局佐证材料经复核不足" in page and 'id="correction"' in page
    rows = _public_rows(client, url)
    assert (edu.name, str(rescored.total.normalize())) in [(n, t) for _r, n, t in rows]
    assert _public_rows(client, f"/plans/assessments/{published.pk}/versions/1/") == first
    old = client.get(f"/plans/assessments/{published.pk}/versions/1/").content.decode()
    assert "第1版" in old and 'id="superseded"' in old


def test_of_two_corrections_from_the_same_version_only_one_counts(cast: dict[str, Any],
                                                                  published: AssessmentRubric) -> None:
    mine, theirs = (AssessmentRubric.objects.get(pk=published.pk) for _ in range(2))
    assessment.rubric_correct(actor=cast["office"], rubric=mine, reason="更正甲")
    with pytest.raises(AlreadyHandled):
        assessment.rubric_correct(actor=cast["office"], rubric=theirs, reason="更正乙")
    assert list(published.publications.values_list("number", "reason")) == [(2, "更正甲"), (1, "")]


def test_publication_and_correction_are_audited_in_chinese(cast: dict[str, Any], published: AssessmentRubric) -> None:
    assessment.rubric_correct(actor=cast["office"], rubric=published, reason="名次计算有误")
    entry = AuditEntry.objects.filter(action="plans.assessment.correct").get()
    assert entry.reason == "名次计算有误" and entry.after["version"] == 2
    assert AuditEntry.objects.filter(action="plans.assessment.publish", object_id=str(published.pk)).exists()
    assert describe_action("plans.assessment.correct") == "发布考核结果更正（新版本）"


def test_a_draft_cannot_be_corrected(cast: dict[str, Any], rubric: AssessmentRubric) -> None:
    _score_everyone(cast, rubric)
    with pytest.raises(Exception, match="不能发布更正"):
        assessment.rubric_correct(actor=cast["office"], rubric=rubric, reason="x")
    assert not AssessmentPublication.objects.filter(rubric=rubric).exists()


# ---------------------------------------------------------------- who is scored, and how

def test_a_member_unit_without_a_task_in_the_plan_is_not_scored(cast: dict[str, Any],
                                                                rubric: AssessmentRubric) -> None:
    health = cast["weijian"].unit  # 卫健委 has no task in the small plan
    assert health.is_member
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    assert not Assessment.objects.filter(rubric=rubric, unit=health).exists()
    with_tasks = set(TaskUnit.objects.filter(task__plan=rubric.plan, unit__is_member=True, unit__is_active=True)
                     .values_list("unit_id", flat=True))
    assert set(rubric.assessments.values_list("unit_id", flat=True)) == with_tasks


def test_a_unit_losing_its_tasks_before_publication_is_withdrawn_with_the_reason(cast: dict[str, Any],
                                                                                 rubric: AssessmentRubric) -> None:
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    farm = cast["nongye"].unit
    TaskUnit.objects.filter(task__plan=rubric.plan, unit=farm).delete()
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    stale = Assessment.objects.get(rubric=rubric, unit=farm)
    assert stale.is_withdrawn and "不参与考核" in stale.withdrawal_reason


def test_an_item_without_data_scores_zero_and_says_missing_data(cast: dict[str, Any], rubric: AssessmentRubric,
                                                                as_user: Any) -> None:
    participant = (TaskUnit.objects.filter(task__plan=rubric.plan, role=UnitRole.PARTICIPANT, unit__is_member=True)
                   .exclude(unit__in=TaskUnit.objects.filter(task__plan=rubric.plan, role=UnitRole.LEAD)
                            .values("unit_id")).first())
    assert participant is not None, "the small plan has a member unit that leads nothing"
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    scores = {s.item.title: s for s in _live(rubric, participant.unit).item_scores.select_related("item")}
    indicators = scores["目标指标完成"]
    assert (indicators.points, indicators.rate) == (Decimal("0.00"), None)
    assert indicators.basis == "牵头任务无量化指标，缺数据"
    page = as_user("office").get(f"/office/plans/assessments/{rubric.pk}/").content.decode()
    assert "缺数据" in page


def test_a_rubric_published_before_versions_existed_gets_its_list_as_version_one(cast: dict[str, Any],
                                                                                  rubric: AssessmentRubric) -> None:
    import importlib

    from django.apps import apps
    from django.utils import timezone

    _score_everyone(cast, rubric)
    AssessmentRubric.objects.filter(pk=rubric.pk).update(status="published", published_at=timezone.now())
    migration = importlib.import_module("kepu.plans.migrations.0004_assessment_publication_versions")
    migration.freeze_already_published(apps, None)
    frozen = AssessmentPublication.objects.get(rubric=rubric)
    live = rubric.assessments.filter(withdrawn_at=None)
    assert frozen.number == 1 and frozen.scores.count() == live.count()
    assert {(s.unit_id, s.total) for s in frozen.scores.all()} == {(a.unit_id, a.total) for a in live}
    assert AssessmentRubric.objects.get(pk=rubric.pk).published_version == 1
