"""The demo city's records could all have happened: in every domain nothing is reviewed before it was
submitted or created, nothing ends before it began, and nothing is dated after today. (The service
orders' own booking rules are checked in tests/service_orders/test_appointment.py.)"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear, TruncDate
from django.utils import timezone

pytestmark = pytest.mark.django_db
GRACE = datetime.timedelta(minutes=5)  # the demo loads in a few minutes: "now" moves while it does


def _contradictions() -> dict[str, Any]:
    from kepu.literacy.models import DataUpload, EstimationRun, SurveyWave
    from kepu.plans.models import Plan, ProgressReport, ReportEvent, ReportingPeriod, SupervisionOrder
    from kepu.service_orders.models import ServiceOrder
    from kepu.volunteers.models import (
        Activity,
        Attendance,
        Certificate,
        ServiceHours,
        StarApplication,
        StarObjection,
        TeamMembership,
    )

    now = timezone.now() + GRACE
    today = timezone.localdate()
    first_hours = (ServiceHours.objects.filter(volunteer=OuterRef("volunteer"), status="approved",
                                               withdrawn_at__isnull=True)
                   .order_by().values("volunteer").annotate(first=Min("served_on")).values("first"))
    return {
        # plan ledger
        "方案：截止年份早于起始年份": Plan.objects.filter(end_year__lt=F("start_year")),
        "填报期：结束早于开始或截止早于结束": ReportingPeriod.objects.filter(Q(end__lt=F("start")) | Q(due_date__lt=F("end"))),
        "进展：提交早于填报期开始": ProgressReport.objects.filter(first_submitted_at__date__lt=F("period__start")),
        "进展：重新提交早于首次提交": ProgressReport.objects.filter(submitted_at__lt=F("first_submitted_at")),
        "进展：审核早于首次提交": ProgressReport.objects.filter(reviewed_at__lt=F("first_submitted_at")),
        "进展：提交或审核晚于今天": ProgressReport.objects.filter(Q(submitted_at__gt=now) | Q(reviewed_at__gt=now)),
        "进展：记录创建晚于提交": ProgressReport.objects.filter(created_at__gt=F("first_submitted_at")),
        "进展记录：时间晚于今天": ReportEvent.objects.filter(created_at__gt=now),
        "督办单：签收早于签发": SupervisionOrder.objects.filter(signed_at__lt=F("issued_at")),
        "督办单：回复早于签收": SupervisionOrder.objects.filter(answered_at__lt=F("signed_at")),
        "督办单：办结早于回复": SupervisionOrder.objects.filter(closed_at__lt=F("answered_at")),
        "督办单：办理时限早于签发": SupervisionOrder.objects.filter(due_date__lt=TruncDate("issued_at")),
        # volunteers
        "入队：审核早于申请": TeamMembership.objects.filter(reviewed_at__lt=F("created_at")),
        "活动：结束早于开始": Activity.objects.filter(ends_at__lt=F("starts_at")),
        "活动：发布晚于开始": Activity.objects.filter(created_at__gt=F("starts_at")),
        "签到：签退早于签到": Attendance.objects.filter(signed_out_at__lt=F("signed_in_at")),
        "签到：签到早于活动当天或晚于活动结束": Attendance.objects.filter(
            Q(signed_in_at__date__lt=TruncDate("activity__starts_at")) | Q(signed_in_at__gt=F("activity__ends_at"))),
        "签到：时间晚于今天": Attendance.objects.filter(Q(signed_in_at__gt=now) | Q(signed_out_at__gt=now)),
        "时长：服务日期早于活动": ServiceHours.objects.filter(served_on__lt=TruncDate("activity__starts_at")),
        "时长：服务日期晚于今天": ServiceHours.objects.filter(served_on__gt=today),
        "时长：登记早于服务日期": ServiceHours.objects.filter(created_at__date__lt=F("served_on")),
        "时长：审核早于登记": ServiceHours.objects.filter(reviewed_at__lt=F("created_at")),
        "时长：撤销早于登记": ServiceHours.objects.filter(withdrawn_at__lt=F("created_at")),
        "星级：审核早于申请": StarApplication.objects.filter(reviewed_at__lt=F("created_at")),
        "星级：公示结束早于开始": StarApplication.objects.filter(notice_ends_on__lt=F("notice_starts_on")),
        "星级：公示早于审核": StarApplication.objects.filter(notice_starts_on__lt=TruncDate("reviewed_at")),
        "异议：处理早于提出": StarObjection.objects.filter(handled_at__lt=F("created_at")),
        "异议：提出早于公示": StarObjection.objects.filter(created_at__date__lt=F("application__notice_starts_on")),
        "证书：发证早于公示结束": Certificate.objects.filter(issued_on__lt=F("application__notice_ends_on")),
        "证书：发证早于申请": Certificate.objects.filter(issued_on__lt=TruncDate("application__created_at")),
        "证书：发证晚于今天": Certificate.objects.filter(issued_on__gt=today),
        "证书：发证早于所计时长": Certificate.objects.annotate(first=Subquery(first_hours)).filter(
            issued_on__lt=F("first")),
        # science-literacy surveys
        "调查：数据导入早于调查年份": SurveyWave.objects.annotate(y=ExtractYear("imported_at")).filter(y__lt=F("year")),
        "调查：调查年份晚于今年": SurveyWave.objects.filter(year__gt=today.year),
        "数据上传：完成早于上传": DataUpload.objects.filter(finished_at__lt=F("created_at")),
        "测算：开始早于发起": EstimationRun.objects.filter(started_at__lt=F("created_at")),
        "测算：完成早于开始": EstimationRun.objects.filter(finished_at__lt=F("started_at")),
        "测算：发布早于完成": EstimationRun.objects.filter(published_at__lt=F("finished_at")),
        "测算：发布早于数据导入": EstimationRun.objects.filter(published_at__lt=F("wave__imported_at")),
        # service orders (beyond the booking rules)
        "工单：完成或评价晚于今天": ServiceOrder.objects.filter(Q(completed_at__gt=now) | Q(placed_at__gt=now)),
    }


def test_the_whole_demo_has_consistent_dates() -> None:
    from kepu.plans.models import ProgressReport
    from kepu.volunteers.models import Certificate, ServiceHours

    assert ProgressReport.objects.exists() and ServiceHours.objects.exists() and Certificate.objects.exists()
    found = {name: list(rows.values_list("pk", flat=True)[:10]) for name, rows in _contradictions().items()}
    assert {name: pks for name, pks in found.items() if pks} == {}
