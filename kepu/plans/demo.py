"""The demo ledger: Kunshan's 2021—2025 implementation plan imported from the published text (seed 002)
through the same document import the office uses, then a living quarter of work around today's date —
approved, returned and pending reports, missing reports, a 督办单, an assessment being scored.

Everything is placed relative to today, so the ledger looks current whenever `make run` loads it:
the plan's last year is carried to the current year (a plan's ledger runs on while it is closed out),
and reports are due from the last completed quarter. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core.access import SYSTEM
from kepu.core.registry import indicator_providers
from kepu.org.public import Unit, User
from kepu.plans.models import (
    Indicator,
    IndicatorSource,
    Plan,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    Task,
    UnitRole,
)
from kepu.plans.periods import PeriodSpec, reporting_periods
from kepu.plans.services import assessment, importing, ledger, reporting, supervision
from kepu.plans.services.base import quietly

TEXT = (Path(__file__).parent / "demo_data" / "kunshan_2021_2025.txt").read_text(encoding="utf-8")
FILENAME = "昆山市2021—2025年全民科学素质行动规划纲要实施方案.txt"

# (section index, task index) → what happened in the last due period. Unlisted tasks were approved
# on time at 96%.
APPROVED = {(0, 0): 96, (0, 1): 95, (1, 0): 78, (1, 2): 96, (2, 0): 98, (2, 1): 97, (2, 2): 96, (2, 3): 60,
            (7, 2): 97, (8, 1): 100}
RETURNED = {(0, 2): "佐证材料不全：请补充本季度青少年科技节的活动照片、参与学校名单和参与人数统计后重新提交。"}
PENDING = {(0, 3), (3, 1)}
MISSING = {(1, 1), (4, 2)}
FIGURES: dict[tuple[int, int], dict[str, Any]] = {
    (0, 0): {"科学教育综合示范学校": 34},
    (0, 3): {"培训科技辅导员": 185},
    (1, 0): {"培训农民": 1280, "扶持农村劳动力自主创业": 300, "新型农民占农业总人口比例": Decimal("9.2"),
             "新型职业农民": 1650},
    (2, 1): {"资助农民工和一线职工提升学历": 1860},
    (2, 2): {"人才总量": Decimal("57.6"), "高层次人才": Decimal("5.9"), "专业技术人才": Decimal("38.2"),
             "高技能人才": Decimal("13.1")},
    (7, 2): {"科普教育基地": 27},
}
LITERACY = {2021: Decimal("17.6"), 2022: Decimal("19.3"), 2023: Decimal("20.6"), 2024: Decimal("21.8"),
            2025: Decimal("23.1")}


def reporting_window(today: datetime.date) -> tuple[int, datetime.date, list[PeriodSpec]]:
    """The plan's last year, when reporting starts, and the periods already due (one or two)."""
    end_year = max(2025, today.year)
    periods = reporting_periods("quarter", 2021, end_year, 10)
    due = [p for p in periods if p.due_date < today]
    latest = due[-1]
    # A quarter due less than 16 days ago has a fresh deadline: report the one before it too.
    window = due[-2:] if (today - latest.due_date).days <= 16 else due[-1:]
    return end_year, window[0].start, window


def _import_plan(today: datetime.date) -> Plan:
    end_year, reporting_from, _ = reporting_window(today)
    draft = importing.draft_create(actor=SYSTEM, text=TEXT, filename=FILENAME)
    settings = draft.parsed["settings"]
    importing.draft_update_settings(
        actor=SYSTEM, draft=draft, title=settings["title"], kind=settings["kind"], start_year=2021,
        end_year=end_year, reporting_cycle="quarter", reporting_from=reporting_from)
    plan = importing.draft_commit(actor=SYSTEM, draft=draft)
    for task in plan.tasks.order_by("order"):
        # The office records where each task stood when the ledger went live.
        ledger.task_update(actor=SYSTEM, task=task, progress=84 + (task.order * 7) % 9,
                           reason="台账上线时的进度（据2025年度总结）")
    ledger.plan_update(actor=SYSTEM, plan=plan, issuer="昆山市全民科学素质工作领导小组办公室",
                       document_number="昆全科办发〔2023〕1号", is_published=True,
                       reason="演示数据：方案执行期延续至本年度收尾" if end_year > 2025 else "")
    return plan


def _grid(plan: Plan) -> dict[tuple[int, int], Task]:
    grid = {}
    for s_index, section in enumerate(plan.sections.order_by("order")):
        for t_index, task in enumerate(section.tasks.order_by("order")):
            grid[(s_index, t_index)] = task
    return grid


def _lead(task: Task) -> Unit:
    return next(tu.unit for tu in task.units.select_related("unit") if tu.role == UnitRole.LEAD)


def _liaison(unit: Unit) -> Any:
    return User.objects.filter(unit=unit, role_assignments__role="liaison", is_active=True).first() or SYSTEM


def _figures(task: Task, key: tuple[int, int]) -> dict[int, Decimal | None]:
    wanted = FIGURES.get(key, {})
    return {i.pk: Decimal(str(wanted[i.name])) for i in task.indicators.all() if i.name in wanted}


def _report(task: Task, period: ReportingPeriod, progress: int, key: tuple[int, int], *, submit: bool = True) -> Any:
    unit = _lead(task)
    return reporting.report_save(
        actor=_liaison(unit), unit=unit, task=task, period=period, progress=progress, submit=submit,
        text=f"{period.label}，{unit.label}按照任务分工，围绕“{task.title}”开展专题部署、组织实施和督促检查，"
             "各项工作按计划推进。", problems="部分基层单位工作力量不足，下一步将加强培训指导。",
        figures=_figures(task, key))


def _backdate(report: ProgressReport, period: ReportingPeriod, reviewed_days: int | None) -> None:
    """Demo history happened around the period's deadline, not at load time."""
    tz = timezone.get_current_timezone()
    submitted = datetime.datetime.combine(period.due_date - datetime.timedelta(days=5), datetime.time(10), tz)
    changes: dict[str, Any] = {"submitted_at": submitted, "first_submitted_at": submitted,
                               "created_at": submitted - datetime.timedelta(hours=2)}  # drafted that morning
    if reviewed_days is not None:
        changes["reviewed_at"] = submitted + datetime.timedelta(days=reviewed_days, hours=5)
    ProgressReport.objects.filter(pk=report.pk).update(**changes)
    for offset, event in enumerate(ReportEvent.objects.filter(report=report).order_by("id")):
        stamp = submitted if event.verb in ("save", "submit") else changes.get("reviewed_at", submitted)
        ReportEvent.objects.filter(pk=event.pk).update(created_at=stamp + datetime.timedelta(minutes=offset))


def _reports(plan: Plan, today: datetime.date) -> None:
    office = User.objects.get(username="office")
    _, _, window = reporting_window(today)
    periods = [ReportingPeriod.objects.get(plan=plan, start=spec.start) for spec in window]
    grid = _grid(plan)
    for key, task in grid.items():
        for number, period in enumerate(periods):
            last = number == len(periods) - 1
            if last and key in MISSING:
                continue
            progress = APPROVED.get(key, 96) if last else max(APPROVED.get(key, 96) - 8, 0)
            report = _report(task, period, progress, key)
            if last and key in PENDING:
                _backdate(report, period, None)
            elif last and key in RETURNED:
                reporting.report_return(actor=office, report=report, reason=RETURNED[key])
                _backdate(report, period, 3)
            else:
                reporting.report_approve(actor=office, report=report, note="情况属实，同意。")
                _backdate(report, period, 2)
    current = ReportingPeriod.objects.filter(plan=plan, start__lte=today, end__gte=today).first()
    if current is not None:
        _report(grid[(0, 0)], current, 97, (0, 0), submit=False)


def _indicators(plan: Plan) -> None:
    """The literacy goal is fed by the monitoring domain when it is installed; by hand otherwise."""
    goal = Indicator.objects.filter(plan=plan, task=None, name__contains="科学素质的比例").first()
    if goal is None:
        return
    if goal.source == IndicatorSource.PROVIDER and goal.provider_code in indicator_providers():
        ledger.indicator_refresh(indicator=goal)
        if goal.actual_value is not None:
            return
    ledger.indicator_update(actor=SYSTEM, indicator=goal, source=IndicatorSource.MANUAL)
    for year, value in LITERACY.items():
        ledger.indicator_record_value(actor=SYSTEM, indicator=goal, year=year, value=value)


def _supervision(plan: Plan, today: datetime.date) -> None:
    grid = _grid(plan)
    pilot = grid[(8, 1)]
    ledger.task_update(actor=SYSTEM, task=pilot, lead_units=[_lead(pilot)],
                       participating_units=[tu.unit for tu in pilot.units.select_related("unit")
                                            if tu.role == UnitRole.PARTICIPANT]
                       + [Unit.objects.get(name="张浦镇人民政府")],
                       reason="演示：张浦镇承担基层科普服务体系建设试点")
    supervision.recompute_plan(plan, today)
    late = grid[(1, 1)]
    supervision.order_issue(actor=User.objects.get(username="office"), task=late, unit=_lead(late),
                            due_date=today + datetime.timedelta(days=10),
                            requirement=f"“{late.title}”本季度进展逾期未报。请于办理时限前报送进展及佐证材料，"
                                        "并书面说明逾期原因和整改措施。")


def _assessment(plan: Plan, today: datetime.date) -> None:
    office = User.objects.get(username="office")
    rubric = assessment.rubric_create(actor=office, plan=plan, year=min(today.year, plan.end_year))
    assessment.rubric_compute(actor=office, rubric=rubric, today=today)
    manual = rubric.items.get(auto_metric="")
    for scored in rubric.assessments.select_related("unit"):
        points = Decimal(14 + (scored.unit.sort_order * 7) % 6)
        assessment.score_adjust(actor=office, assessment=scored, item=manual, points=points,
                                note="依据年度工作总结、经费保障文件及宣传报道等佐证材料评分。")


@transaction.atomic
def load() -> None:
    if Plan.objects.filter(source_sha256=importing.text_digest(TEXT)).exists():
        return
    today = timezone.localdate()
    with quietly():  # the demo's history is not news: nobody gets a message, mail or SMS about it
        plan = _import_plan(today)
        _indicators(plan)
        _reports(plan, today)
        _supervision(plan, today)
        _assessment(plan, today)
