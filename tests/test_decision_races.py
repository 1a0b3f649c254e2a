"""Two people deciding the same thing at the same instant: one succeeds, the other is told
已被他人处理, and only the winner's side effects happen (one event, one decision in the audit log,
one message to the people concerned). Each pair of decisions runs in two threads with their own
database connections, released together by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kepu.core import audit
from kepu.core.context import denial_log
from kepu.core.models import AuditCategory, AuditEntry
from kepu.core.transitions import ALREADY_HANDLED, AlreadyHandled
from kepu.notifications.models import Notification
from kepu.org.models import RoleAssignment, User


def _race(*decisions: Callable[[], Any]) -> tuple[int, list[str]]:
    """Run the decisions at once; (how many succeeded, the losers' messages)."""
    barrier = threading.Barrier(len(decisions))
    wins: list[int] = []
    losses: list[str] = []
    errors: list[str] = []

    def run(decide: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            # As in a request: a refusal inside the service's rolled-back transaction is written again.
            with denial_log() as denials:
                try:
                    decide()
                finally:
                    audit.restore_rolled_back(denials)
            wins.append(1)
        except AlreadyHandled as exc:
            losses.append(exc.message)
        except Exception as exc:  # a crash would otherwise vanish with the thread
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return len(wins), losses


def _second(username: str, role: str, like: User) -> User:
    user = User.objects.create(username=username, password="!", display_name=f"{like.display_name}二",
                               unit=like.unit, region=like.region)
    RoleAssignment.objects.create(user=user, role=role)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def demo(transactional_db: Any) -> dict[str, User]:
    call_command("load_demo", verbosity=0)  # transactional tests start from an emptied database
    office = User.objects.get(username="office")
    return {"office": office, "office2": _second("office2", "office", office)}


def _decisions(actions: tuple[str, ...], pk: Any) -> tuple[int, int]:
    """(decisions recorded, refusals recorded) for the row."""
    rows = AuditEntry.objects.filter(action__in=actions, object_id=str(pk))
    return (rows.filter(category=AuditCategory.WORKFLOW).count(), rows.filter(category=AuditCategory.DENIED).count())


@pytest.mark.postgres_only
def test_approve_and_return_of_one_report_at_the_same_instant(demo: dict[str, User], on_postgres: bool) -> None:
    assert on_postgres, "this test needs PostgreSQL (KEPU_TEST_DB=postgres)"
    from kepu.plans.models import ProgressReport, ReportEvent, ReportStatus
    from kepu.plans.services.reporting import report_approve, report_return

    report = ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).first()
    assert report is not None
    messages_before = Notification.objects.count()
    wins, losses = _race(
        lambda: report_approve(actor=demo["office"], report=ProgressReport.objects.get(pk=report.pk)),
        lambda: report_return(actor=demo["office2"], report=ProgressReport.objects.get(pk=report.pk), reason="数据有误"),
    )
    assert (wins, losses) == (1, [ALREADY_HANDLED])
    report.refresh_from_db()
    assert report.status in (ReportStatus.APPROVED, ReportStatus.RETURNED)
    assert ReportEvent.objects.filter(report=report, verb__in=("approve", "return")).count() == 1
    assert _decisions(("plans.report.approve", "plans.report.return"), report.pk) == (1, 1)
    told = Notification.objects.count() - messages_before
    assert told == len({u.pk for u in _liaisons(report.unit_id)}), "only the winner tells the unit"


def _liaisons(unit_id: int) -> list[User]:
    return list(User.objects.filter(unit_id=unit_id, role_assignments__role="liaison", is_active=True))


@pytest.mark.postgres_only
def test_approve_and_decline_of_one_hours_record_at_the_same_instant(demo: dict[str, User], on_postgres: bool) -> None:
    assert on_postgres
    from kepu.volunteers.models import HoursStatus, ServiceHours
    from kepu.volunteers.services import hours_approve, hours_decline

    record = ServiceHours.objects.filter(status=HoursStatus.PENDING, withdrawn_at=None).first()
    assert record is not None
    wins, losses = _race(
        lambda: hours_approve(actor=demo["office"], record=ServiceHours.objects.get(pk=record.pk)),
        lambda: hours_decline(actor=demo["office2"], record=ServiceHours.objects.get(pk=record.pk), note="无佐证"),
    )
    assert (wins, losses) == (1, [ALREADY_HANDLED])
    assert _decisions(("volunteers.hours.approve", "volunteers.hours.decline"), record.pk) == (1, 1)
    assert Notification.objects.filter(kind__startswith="volunteers.hours.", recipient=record.volunteer.user).count() <= 1


@pytest.mark.postgres_only
def test_two_star_reviews_at_the_same_instant(demo: dict[str, User], on_postgres: bool) -> None:
    assert on_postgres
    from kepu.volunteers.models import StarApplication, StarStatus
    from kepu.volunteers.services import star_approve, star_return

    application = StarApplication.objects.filter(status=StarStatus.SUBMITTED).first()
    assert application is not None
    wins, losses = _race(
        lambda: star_approve(actor=demo["office"], application=StarApplication.objects.get(pk=application.pk)),
        lambda: star_return(actor=demo["office2"], application=StarApplication.objects.get(pk=application.pk),
                            note="时长有误"),
    )
    assert (wins, losses) == (1, [ALREADY_HANDLED])
    assert _decisions(("volunteers.star.approve", "volunteers.star.return"), application.pk) == (1, 1)


@pytest.mark.postgres_only
def test_an_assessment_is_published_once_when_two_press_publish(demo: dict[str, User], on_postgres: bool) -> None:
    assert on_postgres
    from kepu.plans.models import AssessmentRubric, RubricStatus
    from kepu.plans.services.assessment import rubric_publish

    rubric = AssessmentRubric.objects.filter(status=RubricStatus.DRAFT, assessments__isnull=False).distinct().first()
    if rubric is None:
        pytest.fail("the demo has no scored draft rubric to publish")
    wins, losses = _race(
        lambda: rubric_publish(actor=demo["office"], rubric=AssessmentRubric.objects.get(pk=rubric.pk)),
        lambda: rubric_publish(actor=demo["office2"], rubric=AssessmentRubric.objects.get(pk=rubric.pk)),
    )
    assert (wins, losses) == (1, [ALREADY_HANDLED])
    assert _decisions(("plans.assessment.publish",), rubric.pk) == (1, 1)


@pytest.mark.postgres_only
def test_two_supervision_orders_issued_at_the_same_instant_get_two_numbers(demo: dict[str, User],
                                                                          on_postgres: bool) -> None:
    assert on_postgres, "this test needs PostgreSQL (KEPU_TEST_DB=postgres)"
    import datetime

    from django.utils import timezone

    from kepu.plans.models import SupervisionOrder, Task, TaskUnit
    from kepu.plans.services.supervision import order_issue

    pairs = list(TaskUnit.objects.select_related("task", "unit")[:2])
    due = timezone.localdate() + datetime.timedelta(days=10)
    wins, losses = _race(*[
        (lambda tu=tu, actor=actor: order_issue(actor=actor, task=Task.objects.get(pk=tu.task_id), unit=tu.unit,
                                                requirement="请加快推进", due_date=due))
        for tu, actor in zip(pairs, (demo["office"], demo["office2"]), strict=True)])
    assert (wins, losses) == (2, [])
    numbers = list(SupervisionOrder.objects.order_by("-pk").values_list("number", flat=True)[:2])
    assert len(set(numbers)) == 2, numbers


@pytest.mark.postgres_only
def test_two_bulletins_numbered_at_the_same_instant_get_two_numbers(demo: dict[str, User], on_postgres: bool) -> None:
    assert on_postgres, "this test needs PostgreSQL (KEPU_TEST_DB=postgres)"
    from django.utils import timezone

    from kepu.plans import bulletin

    numbers: list[str] = []
    wins, _ = _race(*[lambda: numbers.append(bulletin.next_number(timezone.localdate()))] * 2)
    assert wins == 2 and len(set(numbers)) == 2, numbers


@pytest.mark.postgres_only
def test_an_assessment_correction_makes_one_new_version_when_two_press_at_once(demo: dict[str, User],
                                                                             on_postgres: bool) -> None:
    assert on_postgres
    from kepu.plans.models import AssessmentRubric, RubricStatus
    from kepu.plans.services.assessment import rubric_correct, rubric_publish

    rubric = AssessmentRubric.objects.filter(status=RubricStatus.DRAFT, assessments__isnull=False).distinct().first()
    if rubric is None:
        pytest.fail("the demo has no scored draft rubric to publish")
    rubric_publish(actor=demo["office"], rubric=rubric)
    wins, losses = _race(
        lambda: rubric_correct(actor=demo["office"], rubric=AssessmentRubric.objects.get(pk=rubric.pk), reason="甲"),
        lambda: rubric_correct(actor=demo["office2"], rubric=AssessmentRubric.objects.get(pk=rubric.pk), reason="乙"),
    )
    assert (wins, losses) == (1, [ALREADY_HANDLED])
    assert sorted(rubric.publications.values_list("number", flat=True)) == [1, 2]
    assert _decisions(("plans.assessment.correct",), rubric.pk) == (1, 1)
