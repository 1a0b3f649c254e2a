"""The Word 通报 (Bulletin) on a plan's progress, generated from live data: the figures, a chart of the
lights by section, and the table of lagging tasks that offices circulate to the member units."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from kepu.plans import dashboard
from kepu.plans.models import AlertLevel, Plan, ReportingPeriod, Task, TaskUnit, UnitRole
from kepu.plans.selectors import TaskFilters, report_list, task_list
from kepu.reports import charts
from kepu.reports.docx import OfficialDocument, cn_date, document_number


def on_time_rate(*, user: Any, plan: Plan, today: datetime.date) -> tuple[int, int]:
    """(on time, required) over the lead units' reports of the plan's periods already due.

    Counted in the database (a report is on time when submitted first on or before the period's due
    date, by the local calendar): a city's 2,000 tasks and 27,000 reports are not read into Python."""
    periods = ReportingPeriod.objects.filter(plan=plan, due_date__lt=today, end__gte=plan.reporting_from)
    tasks = task_list(user=user, filters=TaskFilters(plan=plan.pk)).order_by().values("pk")
    leads = TaskUnit.objects.filter(task__in=tasks, role=UnitRole.LEAD)
    lead_of_report = leads.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"))
    on_time = (report_list(user=user).filter(task__plan=plan, task__in=tasks, period__in=periods,
                                             first_submitted_at__date__lte=F("period__due_date"))
               .filter(Exists(lead_of_report)).count())
    return on_time, periods.count() * leads.count()


def _summary(plan: Plan, counts: dict[str, int], on_time: tuple[int, int], today: datetime.date) -> str:
    rate = f"{on_time[0] * 100 / on_time[1]:.1f}%" if on_time[1] else "—"
    return (f"截至{cn_date(today)}，《{plan.title}》台账共有任务 {counts['total']} 项，其中绿灯（正常推进）"
            f"{counts['green']} 项、黄灯（预警）{counts['yellow']} 项、红灯（滞后）{counts['red']} 项。"
            f"已到期的进展填报应报 {on_time[1]} 份，按时报送 {on_time[0]} 份，按时报送率 {rate}。")


def next_number(today: datetime.date) -> str:
    """The 文号 of the year's next 通报 (昆科协通〔2026〕3号), never given twice; the year's counter starts
    after the bulletins the audit log shows were generated before it existed."""
    from kepu.core.models import AuditEntry
    from kepu.core.sequences import next_number as draw

    def issued() -> int:
        return AuditEntry.objects.filter(action="plans.bulletin.export", created_at__year=today.year).count()

    return document_number("通", today, draw(f"plans.bulletin.{today.year}", start_after=issued))


def build(*, user: Any, plan: Plan, number: str, today: datetime.date | None = None) -> bytes:
    """The .docx bytes of the bulletin, for the tasks the user sees, under the 文号 given."""
    today = today or timezone.localdate()
    tasks = task_list(user=user, filters=TaskFilters(plan=plan.pk))
    counts = dashboard.light_counts(tasks)
    sections = dashboard.by_section(tasks)
    doc = OfficialDocument(f"关于{plan.title}实施进展情况的通报", number=number, subtitle=f"（截至{cn_date(today)}）",
                           addressee="各成员单位")
    doc.heading("一、总体进展")
    doc.paragraph(_summary(plan, counts, on_time_rate(user=user, plan=plan, today=today), today))
    pending = report_list(user=user).filter(task__plan=plan, status="submitted").count()
    lagging = dashboard.lagging_units(tasks)
    if lagging:
        names = "、".join(f"{name}（{n} 项）" for name, n in lagging)
        doc.paragraph(f"牵头任务出现红灯的单位有：{names}。请相关单位对照问题清单，抓紧推进。")
    else:
        doc.paragraph("目前没有红灯任务。")
    if pending:
        doc.paragraph(f"另有 {pending} 份进展正在审核中。")
    doc.heading("二、各板块推进情况")
    png = charts.bar_chart([s["label"][:14] for s in sections],
                           {"绿灯": [s["green"] for s in sections], "黄灯": [s["yellow"] for s in sections],
                            "红灯": [s["red"] for s in sections]}, unit="任务数（项）", horizontal=True,
                           height=max(3.0, 0.45 * len(sections) + 1.2))
    doc.figure(png, "图 1　各板块任务预警灯分布")
    doc.table(["板块", "任务数", "绿灯", "黄灯", "红灯", "平均进度"],
              [[s["label"], s["total"], s["green"], s["yellow"], s["red"], f"{round(s['progress'] or 0)}%"]
               for s in sections], widths=[6.5, 1.6, 1.5, 1.5, 1.5, 2])
    doc.heading("三、滞后及预警任务")
    late = _lagging_tasks(tasks)
    if late:
        doc.table(["编号", "任务", "牵头单位", "灯", "原因"],
                  [[t.pk, f"{t.number}{t.title}", "、".join(tu.unit.label for tu in t.units.all() if tu.role == "lead"),
                    t.get_alert_level_display(), t.alert_reason] for t in late],
                  widths=[1.2, 4.5, 2.8, 1.2, 5.5])
    else:
        doc.paragraph("无滞后或预警任务。")
    doc.sign_off(today)
    return doc.to_bytes()


def _lagging_tasks(tasks: Any) -> list[Task]:
    return list(tasks.filter(alert_level__in=[AlertLevel.RED, AlertLevel.YELLOW])
                .order_by("alert_level", "order")[:200])
