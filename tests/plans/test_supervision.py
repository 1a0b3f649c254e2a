"""Supervision: lights from deadlines, expected vs reported progress and late reports, by rules the office
sets; the daily job that recomputes them and reminds before and escalates after, once per stage; 督办单."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.notifications.models import Notification, SmsMessage
from kepu.plans.alerts import MissingReport, TaskFacts, evaluate, expected_progress
from kepu.plans.models import AlertLog, OrderStatus, ReminderLog, SupervisionOrder, Task
from kepu.plans.services import ledger, reporting, supervision
from tests.test_authorization import db_fingerprint

D = datetime.date
RULE = SimpleNamespace(yellow_days_before_deadline=30, yellow_lag_points=10, red_lag_points=30, red_when_overdue=True,
                       red_late_report_days=15)


YEAR_END = D(2026, 12, 31)


def facts(progress: int, *, deadline: D = YEAR_END, missing: list[MissingReport] | None = None,
          returned: list[str] | None = None) -> TaskFacts:
    return TaskFacts(start=D(2026, 1, 1), deadline=deadline, progress=progress, missing=missing or [],
                     returned=returned or [])


# ---------------------------------------------------------------- the rule, as a pure function

def test_expected_progress_runs_linearly_from_the_start_to_the_deadline() -> None:
    assert expected_progress(facts(0), D(2026, 1, 1)) == 0
    assert expected_progress(facts(0), D(2026, 7, 2)) == 50
    assert expected_progress(facts(0), D(2027, 1, 1)) == 100


def test_a_task_on_track_is_green_with_its_reason() -> None:
    assert evaluate(facts(50), RULE, D(2026, 7, 2)) == ("green", "按计划推进（预期 50%，实际 50%）")


def test_lagging_progress_turns_yellow_then_red_at_the_thresholds() -> None:
    assert evaluate(facts(41), RULE, D(2026, 7, 2))[0] == "green"
    assert evaluate(facts(40), RULE, D(2026, 7, 2)) == ("yellow", "进度落后预期 10 个百分点（预期 50%，实际 40%）")
    assert evaluate(facts(20), RULE, D(2026, 7, 2))[0] == "red"


def test_an_overdue_task_is_red_and_a_finished_one_green() -> None:
    level, reason = evaluate(facts(90, deadline=D(2026, 6, 30)), RULE, D(2026, 7, 10))
    assert level == "red" and reason.startswith("已超过完成时限 10 天，进度 90%")
    assert evaluate(facts(100, deadline=D(2026, 6, 30)), RULE, D(2026, 7, 10)) == ("green", "已完成（进度 100%）")


def test_a_near_deadline_below_expectation_is_yellow() -> None:
    level, reason = evaluate(facts(85, deadline=D(2026, 7, 20)), RULE, D(2026, 7, 1))  # expected 91%
    assert level == "yellow" and "距完成时限仅剩 19 天" in reason


def test_a_late_report_is_yellow_and_past_the_limit_red() -> None:
    late = [MissingReport("2026年第二季度", D(2026, 7, 10), "市教育局")]
    assert evaluate(facts(55, missing=late), RULE, D(2026, 7, 20)) == (
        "yellow", "市教育局「2026年第二季度」进展逾期未报 10 天")
    assert evaluate(facts(55, missing=late), RULE, D(2026, 7, 26))[0] == "red"


def test_a_returned_report_not_yet_resubmitted_is_yellow() -> None:
    assert evaluate(facts(50, returned=["2026年第二季度"]), RULE, D(2026, 7, 2)) == (
        "yellow", "「2026年第二季度」进展被退回，尚未重新提交")


def test_the_office_can_make_overdue_only_yellow() -> None:
    rule = SimpleNamespace(**{**vars(RULE), "red_when_overdue": False})
    assert evaluate(facts(95, deadline=D(2026, 6, 30)), rule, D(2026, 7, 2))[0] == "yellow"


# ---------------------------------------------------------------- in the database

@pytest.mark.django_db
def test_rules_edited_by_the_office_change_the_lights(cast: dict[str, Any], small_plan: Any, festival: Task) -> None:
    year = small_plan.start_year
    ledger.task_update(actor=cast["office"], task=festival, progress=50)
    today = D(year, 7, 2)  # expected 50% on 2 July
    supervision.recompute_plan(small_plan, today)
    festival.refresh_from_db()
    assert festival.alert_level in ("yellow", "red")  # the first quarter's report is missing
    rule = small_plan.alert_rule
    ledger.alert_rule_update(actor=cast["office"], rule=rule, red_late_report_days=365)
    supervision.recompute_plan(small_plan, today)
    festival.refresh_from_db()
    assert festival.alert_level == "yellow" and "逾期未报" in festival.alert_reason
    with pytest.raises(ValidationFailed, match="红灯阈值应大于黄灯阈值"):
        ledger.alert_rule_update(actor=cast["office"], rule=rule, red_lag_points=5)


@pytest.mark.django_db
def test_each_change_of_light_is_logged_with_its_reason(cast: dict[str, Any], small_plan: Any, festival: Task) -> None:
    year = small_plan.start_year
    AlertLog.objects.filter(task=festival).delete()
    ledger.task_update(actor=cast["office"], task=festival, progress=100)
    supervision.recompute_plan(small_plan, D(year, 7, 2))
    supervision.recompute_plan(small_plan, D(year, 7, 2))
    log = AlertLog.objects.get(task=festival)
    assert (log.level, log.reason) == ("green", "已完成（进度 100%）")


@pytest.mark.django_db
def test_the_daily_job_is_registered_and_runs_through_the_scheduler(small_plan: Any, festival: Task) -> None:
    from django.utils import timezone

    from kepu.core.registry import scheduled_jobs
    from kepu.core.scheduler import enqueue_due

    assert "plans.daily_supervision" in {job.name for job in scheduled_jobs()}
    Task.objects.filter(pk=festival.pk).update(alert_level="", alert_reason="")
    morning = timezone.localtime().replace(hour=7, minute=0)
    assert "plans.daily_supervision" in enqueue_due(morning)
    festival.refresh_from_db()
    assert festival.alert_level and festival.alert_reason


def _with_email(*users: Any) -> None:
    for user in users:
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])


@pytest.mark.django_db
def test_reminders_go_out_before_the_due_date_once_per_stage(cast: dict[str, Any], small_plan: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    _with_email(cast["jiaoyu"], cast["nongye"], cast["office"])
    q1 = small_plan.periods.order_by("start").first()
    the_day = q1.due_date - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        supervision.daily_run(the_day)
        supervision.daily_run(the_day)  # a second run the same day sends nothing new
    reminders = Notification.objects.filter(kind="plans.reminder", title__contains=q1.label)
    assert sorted(n.recipient.username for n in reminders) == ["jiaoyu", "nongye"]
    assert "2 项任务" in reminders.get(recipient=cast["jiaoyu"]).body
    assert sorted(m.to[0] for m in mail.outbox if q1.label in m.subject) == [
        "jiaoyu@example.gov.cn", "nongye@example.gov.cn"]
    assert not SmsMessage.objects.filter(text__contains=q1.label).exists(), "reminders are not texted"


@pytest.mark.django_db
def test_late_reports_escalate_to_the_office_with_a_text_message(cast: dict[str, Any], small_plan: Any,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    q1 = small_plan.periods.order_by("start").first()
    rule = small_plan.alert_rule
    late_day = q1.due_date + datetime.timedelta(days=rule.escalate_after_days)
    with django_capture_on_commit_callbacks(execute=True):
        supervision.daily_run(late_day)
        supervision.daily_run(late_day + datetime.timedelta(days=1))  # same stage: nothing new
    escalations = Notification.objects.filter(kind="plans.escalation", title__contains=q1.label)
    assert {n.recipient.username for n in escalations} == {"jiaoyu", "nongye", "office"}
    assert escalations.filter(recipient=cast["office"]).count() == 2  # one per unit, 教育局 and 农业农村局
    assert SmsMessage.objects.filter(phone=cast["jiaoyu"].phone, text__contains="逾期未报").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        supervision.daily_run(late_day + datetime.timedelta(days=rule.escalation_repeat_days))
    assert SmsMessage.objects.filter(phone=cast["jiaoyu"].phone, text__contains="逾期未报").count() == 2
    assert ReminderLog.objects.filter(kind="report_overdue", object_key=f"period:{q1.pk}").count() == 4


@pytest.mark.django_db
def test_a_submitted_report_stops_the_reminders_for_its_unit(cast: dict[str, Any], small_plan: Any) -> None:
    q1 = small_plan.periods.order_by("start").first()
    for task in small_plan.tasks.filter(units__unit=cast["jiaoyu"].unit, units__role="lead"):
        reporting.report_save(actor=cast["jiaoyu"], task=task, period=q1, progress=20, text="已推进", submit=True)
    supervision.daily_run(q1.due_date - datetime.timedelta(days=1))
    assert not Notification.objects.filter(recipient=cast["jiaoyu"], kind="plans.reminder",
                                           title__contains=q1.label).exists()


# ---------------------------------------------------------------- 督办单

@pytest.mark.django_db
def test_a_supervision_order_is_signed_answered_and_closed(cast: dict[str, Any], festival: Task, today: D,
                                                           django_capture_on_commit_callbacks: Any) -> None:
    edu = cast["jiaoyu"].unit
    with django_capture_on_commit_callbacks(execute=True):
        order = supervision.order_issue(actor=cast["office"], task=festival, unit=edu, requirement="请加快推进",
                                        due_date=today + datetime.timedelta(days=10))
    issued = SupervisionOrder.objects.filter(number__startswith=f"昆科协督〔{today.year}〕").count()
    assert order.number == f"昆科协督〔{today.year}〕{issued}号"
    assert SmsMessage.objects.filter(phone=cast["jiaoyu"].phone, text__contains=order.number).exists()
    with pytest.raises(WorkflowError, match="待签收"):
        supervision.order_answer(actor=cast["jiaoyu"], order=order, answer="已办")
    supervision.order_sign(actor=cast["jiaoyu"], order=order)
    supervision.order_answer(actor=cast["jiaoyu"], order=order, answer="已召开专题会，10月底前完成。")
    supervision.order_reject_answer(actor=cast["office"], order=order, reason="请附会议纪要")
    assert order.status == OrderStatus.SIGNED
    supervision.order_answer(actor=cast["jiaoyu"], order=order, answer="已附会议纪要。")
    supervision.order_close(actor=cast["office"], order=order, note="同意办结")
    order.refresh_from_db()
    assert (order.status, order.signed_by, order.answer, order.close_note) == (
        "closed", cast["jiaoyu"], "已附会议纪要。", "同意办结")
    from kepu.core.models import AuditEntry

    assert list(AuditEntry.objects.filter(object_type="plans.supervisionorder", object_id=str(order.pk))
                .order_by("id").values_list("action", flat=True)) == [
        "plans.order.issue", "plans.order.sign", "plans.order.answer", "plans.order.reject_answer",
        "plans.order.answer", "plans.order.close"]


@pytest.mark.django_db
def test_only_the_addressed_unit_signs_and_only_a_task_unit_is_addressed(cast: dict[str, Any], festival: Task,
                                                                         today: D) -> None:
    order = supervision.order_issue(actor=cast["office"], task=festival, unit=cast["jiaoyu"].unit,
                                    requirement="请加快推进", due_date=today)
    before = db_fingerprint()
    with pytest.raises(PermissionDenied):
        supervision.order_sign(actor=cast["nongye"], order=order)
    assert db_fingerprint() == before
    with pytest.raises(ValidationFailed, match="牵头或参与单位"):
        supervision.order_issue(actor=cast["office"], task=festival, unit=cast["nongye"].unit, requirement="x",
                                due_date=today)
    with pytest.raises(Http404):
        from kepu.plans.selectors import order_detail

        order_detail(user=cast["nongye"], order_id=order.pk)


@pytest.mark.django_db
def test_an_overdue_order_escalates(cast: dict[str, Any], festival: Task, today: D) -> None:
    order = supervision.order_issue(actor=cast["office"], task=festival, unit=cast["jiaoyu"].unit,
                                    requirement="请加快推进", due_date=today)
    supervision.daily_run(today + datetime.timedelta(days=festival.plan.alert_rule.escalate_after_days))
    assert Notification.objects.filter(recipient=cast["office"], title__contains=order.number,
                                       kind="plans.escalation").exists()
