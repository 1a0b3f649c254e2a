"""The plan ledger (C2): plans → sections → tasks → units and indicators; progress reports by
period; alert levels and the rules behind them; supervision orders (督办单); yearly assessments.

Status fields are assigned only by the services (see states.py); a model never decides a workflow.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from kepu.core.access import ScopeRule
from kepu.core.models import TimeStampedModel, Withdrawable

# A task (and what hangs off it) reaches a user through any of its units: lead or participating.
# A task shared by all member units (各成员单位共同负责) reaches every active member unit's users too.
TASK_SCOPE = ScopeRule(region="units__unit__region", units=("units__unit",),
                       members_share=models.Q(all_members=True))


class PlanKind(models.TextChoices):
    OUTLINE = "outline", "规划纲要"
    IMPLEMENTATION = "implementation", "实施方案"
    ANNUAL = "annual", "年度工作要点"


class ReportingCycle(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half_year", "每半年"
    YEAR = "year", "每年"


class Plan(TimeStampedModel):
    """A policy document that sets tasks: an outline, an implementation plan or annual work points."""

    title = models.CharField("方案名称", max_length=200)
    kind = models.CharField("类别", max_length=20, choices=PlanKind.choices, default=PlanKind.IMPLEMENTATION)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    reporting_cycle = models.CharField("填报周期", max_length=12, choices=ReportingCycle.choices,
                                       default=ReportingCycle.QUARTER)
    reporting_from = models.DateField("填报起始日期", help_text="此日期之前结束的填报期不要求填报（台账上线前的时期）")
    report_due_days = models.PositiveSmallIntegerField("填报截止（期末后天数）", default=10)
    issuer = models.CharField("印发单位", max_length=100, blank=True)
    document_number = models.CharField("文号", max_length=60, blank=True)
    preamble = models.TextField("前言", blank=True)
    source_filename = models.CharField("来源文件", max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_published = models.BooleanField("在门户公开摘要", default=False)
    is_archived = models.BooleanField("已归档", default=False)
    is_default = models.BooleanField("驾驶舱默认方案", default=False,
                                     help_text="驾驶舱和工作台默认显示的方案；导入新方案不会改变它")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_rule = ScopeRule(region="tasks__units__unit__region", units=("tasks__units__unit",),
                           members_share=models.Q(tasks__all_members=True))

    class Meta:
        verbose_name = "方案"
        verbose_name_plural = "方案"
        ordering = ["-start_year", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                              name="plan_years_in_order")]

    def __str__(self) -> str:
        return self.title

    @property
    def years_label(self) -> str:
        return f"{self.start_year}—{self.end_year}年" if self.end_year != self.start_year else f"{self.start_year}年"


class PlanSection(models.Model):
    """A chapter of tasks (提升行动 / 重点工程) with the units the document names for it."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="sections")
    number = models.CharField("编号", max_length=20, blank=True)
    title = models.CharField("板块", max_length=200)
    path = models.CharField("上级标题", max_length=300, blank=True, help_text="如“三、五项重点提升行动”")
    order = models.PositiveIntegerField("顺序", default=0)
    lead_units = models.ManyToManyField("org.Unit", verbose_name="牵头单位", blank=True, related_name="+")

    class Meta:
        verbose_name = "板块"
        verbose_name_plural = "板块"
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.number}{self.title}"

    @property
    def label(self) -> str:
        return section_label(self.number, self.title, self.path)


def section_label(number: str, title: str, path: str) -> str:
    """“三（一）实施青少年…”: the chapter's numeral tells apart sections numbered alike under two chapters."""
    chapter = path.split(" / ")[0].split("、")[0] if "、" in path else ""
    return f"{chapter if len(chapter) <= 3 else ''}{number}{title}"


# Bounds of a progress report's free text, the same in the form, the API and the service: a report is a
# summary for the office, not a place for whole documents (those go in as evidence files).
REPORT_TEXT_MAX_LENGTH = 5000
REPORT_PROBLEMS_MAX_LENGTH = 3000


class AlertLevel(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"


class Task(TimeStampedModel):
    """One numbered item of work, with its lead and participating units (TaskUnit)."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(PlanSection, verbose_name="板块", on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField("序号", max_length=20, blank=True, help_text="按文件原样，如“1.”“（三）”")
    seq = models.PositiveIntegerField("板块内顺序", default=0)
    order = models.PositiveIntegerField("方案内顺序", default=0)
    title = models.CharField("任务", max_length=300)
    body = models.TextField("任务内容", blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True, help_text="不填则为方案截止年度年底")
    all_subareas = models.BooleanField("各区镇共同负责", default=False)
    subarea_marker = models.CharField("区镇表述", max_length=40, blank=True)
    all_members = models.BooleanField("各成员单位共同负责", default=False)
    collective_units = models.CharField("其他责任主体", max_length=200, blank=True)
    source_line = models.PositiveIntegerField("原文行号", default=0)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    progress_updated_at = models.DateTimeField("进度更新时间", null=True, blank=True)
    alert_level = models.CharField("预警灯", max_length=8, choices=AlertLevel.choices, blank=True)
    alert_reason = models.CharField("预警原因", max_length=500, blank=True)
    alert_updated_at = models.DateTimeField("预警计算时间", null=True, blank=True)

    scope_rule = TASK_SCOPE

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "order"]
        indexes = [models.Index(fields=["plan", "alert_level"], name="task_plan_alert"),
                   models.Index(fields=["plan", "order"], name="task_plan_order")]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="task_progress_0_100")]

    def __str__(self) -> str:
        return f"{self.number}{self.title}"

    def get_absolute_url(self) -> str:
        # Built from the list's address (reversed once): a ledger page links dozens of tasks.
        return f"{_ledger_prefix()}{self.pk}/"

    @property
    def effective_deadline(self) -> datetime.date:
        return self.deadline or datetime.date(self.plan.end_year, 12, 31)


@functools.cache
def _ledger_prefix() -> str:
    from django.urls import reverse

    return reverse("plans:task_list")


class UnitRole(models.TextChoices):
    LEAD = "lead", "牵头单位"
    PARTICIPANT = "participant", "参与单位"


class TaskUnit(models.Model):
    """A unit responsible for a task: the lead unit answers for it, participants share the work."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="task_roles")
    role = models.CharField("角色", max_length=12, choices=UnitRole.choices)
    written_name = models.CharField("文件中的写法", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "任务责任单位"
        verbose_name_plural = "任务责任单位"
        ordering = ["task", "role", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="one_role_per_task_unit")]
        indexes = [models.Index(fields=["unit", "role"], name="taskunit_unit_role")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class Direction(models.TextChoices):
    AT_LEAST = "ge", "≥"
    AT_MOST = "le", "≤"
    UNSPECIFIED = "eq", "="


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", "手工录入"
    REPORTS = "reports", "进展填报"
    PROVIDER = "provider", "平台数据"


class Aggregation(models.TextChoices):
    LATEST = "latest", "取最新填报值"
    SUM = "sum", "各单位合计"


class Indicator(TimeStampedModel):
    """A measurable goal: “公民具备科学素质的比例 ≥ 23% by 2025”. Plan-level goals have no task."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="indicators")
    task = models.ForeignKey(Task, verbose_name="任务", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="indicators")
    name = models.CharField("指标", max_length=200)
    unit_of_measure = models.CharField("计量单位", max_length=20, blank=True)
    baseline = models.DecimalField("基期值", max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField("目标值", max_digits=16, decimal_places=4)
    target_year = models.PositiveSmallIntegerField("目标年度", null=True, blank=True)
    annual = models.BooleanField("每年目标", default=False)
    direction = models.CharField("方向", max_length=2, choices=Direction.choices, default=Direction.AT_LEAST)
    source = models.CharField("实际值来源", max_length=10, choices=IndicatorSource.choices,
                              default=IndicatorSource.REPORTS)
    provider_code = models.CharField("平台数据项", max_length=80, blank=True)
    aggregation = models.CharField("汇总方式", max_length=8, choices=Aggregation.choices, default=Aggregation.LATEST)
    # Most indicators are counts, amounts or shares: a negative figure is a typing error. Growth rates
    # and changes may fall below zero, and say so here.
    allows_negative = models.BooleanField("可为负数", default=False, help_text="如增长率、变化量；人数、比例等不能为负")
    actual_value = models.DecimalField("实际值", max_digits=16, decimal_places=4, null=True, blank=True)
    actual_label = models.CharField("实际值时点", max_length=40, blank=True)
    actual_updated_at = models.DateTimeField("实际值更新时间", null=True, blank=True)
    sentence = models.TextField("原文", blank=True)
    order = models.PositiveIntegerField(default=0)

    scope_rule = ScopeRule(region="task__units__unit__region", units=("task__units__unit",),
                           members_share=models.Q(task__all_members=True))

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def target_label(self) -> str:
        sign = "" if self.direction == Direction.UNSPECIFIED else self.get_direction_display()
        return f"{sign}{_plain(self.target)}{self.unit_of_measure}"

    @property
    def completion(self) -> Decimal | None:
        """Share of the way from baseline (or zero) to target, 0–1; None without an actual value."""
        from kepu.plans.indicators import completion

        return completion(self)


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return text


class IndicatorValue(models.Model):
    """One observed value of an indicator: from a provider (per year), a report (per period), or by hand."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField("年度")
    period = models.ForeignKey("ReportingPeriod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField("数值", max_digits=16, decimal_places=4)
    source = models.CharField("来源", max_length=10, choices=IndicatorSource.choices)
    recorded_at = models.DateTimeField("记录时间", auto_now=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        ordering = ["indicator", "year", "period__start"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year", "source"], condition=models.Q(period=None),
                                               name="one_yearly_value_per_source"),
                       models.UniqueConstraint(fields=["indicator", "period", "source"],
                                               name="one_period_value_per_source")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class ReportingPeriod(models.Model):
    """A month, quarter, half-year or year of a plan for which units report progress."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField("填报期", max_length=40)
    year = models.PositiveSmallIntegerField("年度")
    start = models.DateField("开始")
    end = models.DateField("结束")
    due_date = models.DateField("填报截止")

    class Meta:
        verbose_name = "填报期"
        verbose_name_plural = "填报期"
        ordering = ["plan", "start"]
        constraints = [models.UniqueConstraint(fields=["plan", "start"], name="one_period_per_plan_start")]

    def __str__(self) -> str:
        return self.label


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"


class ProgressReport(TimeStampedModel):
    """A unit's report on one task for one period: text, progress, figures and evidence files."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("org.Unit", verbose_name="填报单位", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(ReportingPeriod, verbose_name="填报期", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    progress = models.PositiveSmallIntegerField("累计进度（%）", default=0)
    text = models.TextField("进展情况", max_length=REPORT_TEXT_MAX_LENGTH)
    problems = models.TextField("存在问题及下步打算", max_length=REPORT_PROBLEMS_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    return_reason = models.TextField("退回原因", blank=True)
    times_returned = models.PositiveSmallIntegerField("退回次数", default=0)

    scope_rule = ScopeRule(unit="unit", region="unit__region")

    class Meta:
        verbose_name = "进展填报"
        verbose_name_plural = "进展填报"
        ordering = ["-period__start", "task__order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="one_report_per_task_unit_period"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_0_100"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="report_status_time")]

    def __str__(self) -> str:
        return f"{self.task} · {self.period} · {self.unit}"

    @property
    def was_on_time(self) -> bool | None:
        if self.first_submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.first_submitted_at) <= self.period.due_date


class ReportFigure(models.Model):
    """A reported value for one indicator of the task (the cumulative figure at the period's end)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="figures")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="figures")
    value = models.DecimalField("数值", max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = "填报数据"
        verbose_name_plural = "填报数据"
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="one_figure_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


def evidence_path(instance: ReportEvidence, filename: str) -> str:
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"plans/evidence/{instance.report.period.year}/{uuid.uuid4().hex}{suffix}"


class ReportEvidence(models.Model):
    """An evidence file of a report; stored under MEDIA_ROOT and served only through a scoped view."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    scope_rule = ScopeRule(unit="report__unit", region="report__unit__region")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReportEvent(models.Model):
    """One step in a report's history (saved, submitted, approved, returned, resubmitted); never changed."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField("操作", max_length=12)
    status = models.CharField("之后状态", max_length=10, choices=ReportStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    note = models.TextField("说明", blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    scope_rule = ScopeRule(unit="report__unit", region="report__unit__region")

    class Meta:
        verbose_name = "填报记录"
        verbose_name_plural = "填报记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.verb}"

    VERB_LABELS = {"save": "保存草稿", "submit": "提交", "resubmit": "重新提交", "approve": "审核通过",
                   "return": "退回"}

    @property
    def verb_label(self) -> str:
        return self.VERB_LABELS.get(self.verb, self.verb)


class AlertRule(models.Model):
    """How a plan's tasks get their lights and when reminders and escalations go out (set by the office)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="alert_rule")
    yellow_days_before_deadline = models.PositiveSmallIntegerField(
        "临近时限预警（天）", default=30, help_text="距完成时限不足该天数且进度低于预期时亮黄灯")
    yellow_lag_points = models.PositiveSmallIntegerField(
        "进度落后黄灯阈值（百分点）", default=10, help_text="实际进度比预期进度落后达到该值亮黄灯")
    red_lag_points = models.PositiveSmallIntegerField(
        "进度落后红灯阈值（百分点）", default=30, help_text="实际进度比预期进度落后达到该值亮红灯")
    red_when_overdue = models.BooleanField("超过完成时限未完成亮红灯", default=True)
    red_late_report_days = models.PositiveSmallIntegerField(
        "逾期未报红灯阈值（天）", default=15, help_text="进展逾期未报超过该天数亮红灯；逾期未超过亮黄灯")
    participants_report = models.BooleanField("参与单位也须按期填报", default=False)
    remind_days_before = models.PositiveSmallIntegerField("提前提醒（天）", default=7,
                                                          help_text="填报截止、完成时限前该天数内发送提醒")
    escalate_after_days = models.PositiveSmallIntegerField("逾期升级督办（天）", default=3,
                                                           help_text="逾期达到该天数后通知纲要办并短信提醒")
    escalation_repeat_days = models.PositiveSmallIntegerField("升级提醒间隔（天）", default=7)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"

    def __str__(self) -> str:
        return f"{self.plan} 预警规则"


class AlertLog(models.Model):
    """A change of a task's light, with the reason at the time."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="alert_logs")
    level = models.CharField("预警灯", max_length=8, choices=AlertLevel.choices)
    previous = models.CharField("原预警灯", max_length=8, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "预警变化"
        verbose_name_plural = "预警变化"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.level}"


class ReminderLog(models.Model):
    """A reminder or escalation sent once per stage, so a daily job run twice never sends twice."""

    kind = models.CharField(max_length=30)
    object_key = models.CharField(max_length=60)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20)
    day = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        constraints = [models.UniqueConstraint(fields=["kind", "object_key", "unit", "stage"],
                                               name="one_reminder_per_stage")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key} {self.stage}"


class OrderStatus(models.TextChoices):
    ISSUED = "issued", "待签收"
    SIGNED = "signed", "办理中"
    ANSWERED = "answered", "已回复"
    CLOSED = "closed", "已办结"


class SupervisionOrder(TimeStampedModel):
    """A 督办单: the office orders a unit to act on a task by a date; the unit signs for it and answers."""

    number = models.CharField("督办单号", max_length=40, unique=True)
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="orders")
    unit = models.ForeignKey("org.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    requirement = models.TextField("督办事项及要求")
    due_date = models.DateField("办理时限")
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    answer = models.TextField("办理回复", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回复人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    close_note = models.TextField("纲要办意见", blank=True, help_text="办结意见，或退回重办的原因")

    scope_rule = ScopeRule(unit="unit", region="unit__region")

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class RubricStatus(models.TextChoices):
    DRAFT = "draft", "评分中"
    PUBLISHED = "published", "已发布"


class AssessmentRubric(TimeStampedModel):
    """A year's scoring rules for the member units: items, points, evidence, grade bands."""

    year = models.PositiveSmallIntegerField("考核年度")
    title = models.CharField("名称", max_length=200)
    plan = models.ForeignKey(Plan, verbose_name="考核依据方案", on_delete=models.PROTECT, related_name="rubrics")
    excellent_min = models.DecimalField("优秀（≥分）", max_digits=5, decimal_places=1, default=Decimal(90))
    good_min = models.DecimalField("良好（≥分）", max_digits=5, decimal_places=1, default=Decimal(80))
    pass_min = models.DecimalField("合格（≥分）", max_digits=5, decimal_places=1, default=Decimal(60))
    status = models.CharField("状态", max_length=10, choices=RubricStatus.choices, default=RubricStatus.DRAFT)
    published_at = models.DateTimeField("最近发布时间", null=True, blank=True)
    published_version = models.PositiveSmallIntegerField("已发布版本", default=0,
                                                         help_text="0 为未发布；每次更正加 1")
    computed_at = models.DateTimeField("计分时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    scope_rule = ScopeRule(region="plan__tasks__units__unit__region", units=("plan__tasks__units__unit",),
                           members_share=models.Q(plan__tasks__all_members=True))

    class Meta:
        verbose_name = "考核细则"
        verbose_name_plural = "考核细则"
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_rubric_per_plan_year")]

    def __str__(self) -> str:
        return self.title


class AutoMetric(models.TextChoices):
    ON_TIME = "on_time_rate", "进展按时报送率"
    APPROVED = "approved_rate", "进展审核通过率"
    INDICATORS = "indicator_completion", "指标完成度"
    GREEN = "green_rate", "任务绿灯率"


class RubricItem(models.Model):
    rubric = models.ForeignKey(AssessmentRubric, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    title = models.CharField("考核项目", max_length=200)
    description = models.TextField("评分标准", blank=True)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    auto_metric = models.CharField("自动计分依据", max_length=24, choices=AutoMetric.choices, blank=True,
                                   help_text="留空为人工评分")
    evidence_required = models.BooleanField("须提供佐证", default=False)

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["rubric", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class Assessment(TimeStampedModel, Withdrawable):
    """A member unit's score under a year's rubric. Withdrawn with a reason, never deleted."""

    rubric = models.ForeignKey(AssessmentRubric, on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, default=Decimal(0))
    grade = models.CharField("等次", max_length=10, choices=Grade.choices, blank=True)
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)

    scope_rule = ScopeRule(unit="unit", region="unit__region")

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["rubric", "-total", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["rubric", "unit"], condition=models.Q(withdrawn_at=None),
                                               name="one_live_assessment_per_unit")]

    def __str__(self) -> str:
        return f"{self.rubric.year} {self.unit}"


class AssessmentItemScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="item_scores")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("得分", max_digits=5, decimal_places=2, default=Decimal(0))
    rate = models.DecimalField("数据值", max_digits=6, decimal_places=4, null=True, blank=True)
    basis = models.CharField("计分依据", max_length=300, blank=True)
    note = models.TextField("评分说明/佐证", blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["assessment", "item__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="one_score_per_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.points}"


class FrozenQuerySet(models.QuerySet[Any]):
    def delete(self) -> Any:
        raise PermissionError("已发布的考核结果不可删除，更正须发布新版本")

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("已发布的考核结果不可修改，更正须发布新版本")


class Frozen(models.Model):
    """A row written once at publication and never changed: a correction is a new version."""

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("已发布的考核结果不可修改，更正须发布新版本")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("已发布的考核结果不可删除，更正须发布新版本")


class AssessmentPublication(Frozen):
    """One published version of a rubric's results (第N版): the ranked list as it was when published.
    Version 1 is the first publication; each correction adds the next one, with its reason."""

    rubric = models.ForeignKey(AssessmentRubric, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveSmallIntegerField("版本")
    reason = models.TextField("更正原因", blank=True)
    full_points = models.DecimalField("满分", max_digits=6, decimal_places=1)
    items = models.JSONField("考核项目", default=list, help_text="发布时的考核项目：[{title, points, auto}]")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = "考核结果发布版本"
        verbose_name_plural = "考核结果发布版本"
        ordering = ["rubric", "-number"]
        constraints = [models.UniqueConstraint(fields=["rubric", "number"], name="one_publication_per_number")]

    def __str__(self) -> str:
        return f"{self.rubric} 第{self.number}版"

    @property
    def is_correction(self) -> bool:
        return self.number > 1


class PublishedScore(Frozen):
    """A unit's score in one published version: total, grade, rank and per-item points as published."""

    publication = models.ForeignKey(AssessmentPublication, on_delete=models.PROTECT, related_name="scores")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="published_as",
                                   help_text="发布时所依据的得分记录")
    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("单位名称", max_length=200, help_text="发布时的名称")
    rank = models.PositiveSmallIntegerField("名次")
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    grade = models.CharField("等次", max_length=10, choices=Grade.choices)
    items = models.JSONField("各项得分", default=list, help_text="[{title, points, missing, basis}]，顺序同发布版本")

    scope_rule = ScopeRule(unit="unit", region="unit__region")

    class Meta:
        verbose_name = "已发布考核得分"
        verbose_name_plural = "已发布考核得分"
        ordering = ["publication", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["publication", "unit"], name="one_published_score_per_unit")]

    def __str__(self) -> str:
        return f"{self.publication}：{self.unit_name} {self.total}"


class DraftStatus(models.TextChoices):
    OPEN = "open", "待审核"
    COMMITTED = "committed", "已导入"
    DISCARDED = "discarded", "已放弃"


class PlanImportDraft(TimeStampedModel):
    """A parsed document waiting for review: the proposed structure as JSON, edited until committed."""

    filename = models.CharField("文件名", max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64, db_index=True)
    text = models.TextField("文本")
    parsed = models.JSONField("解析结果")
    status = models.CharField("状态", max_length=10, choices=DraftStatus.choices, default=DraftStatus.OPEN)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    scope_rule = ScopeRule(owner="created_by")

    class Meta:
        verbose_name = "文件导入草稿"
        verbose_name_plural = "文件导入草稿"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.parsed.get("title") or self.filename or f"草稿 {self.pk}"
