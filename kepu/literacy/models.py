"""Scientific-literacy monitoring (C3): instruments and rule sets, survey waves and their data,
population margins, estimation runs and their estimates, method changes and targets.

Respondent data are not rows here: a wave's validated data live in one Parquet file (columnar, a
300,000-row wave is a few megabytes); the database holds what describes and results from it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from kepu.core.access import ScopeRule
from kepu.core.models import TimeStampedModel
from kepu.literacy import standards as std


class ScoringRuleSet(TimeStampedModel):
    """How a wave's answers become scores and the literate flag (国家标准 / 2016 基准 / 旧版三维度)."""

    name = models.CharField("名称", max_length=60, unique=True)
    kind = models.CharField("规则类型", max_length=30, choices=std.RULE_KINDS)
    description = models.TextField("说明", blank=True)
    # Cut-offs, bands, dimension weights, the unanswered-item policy: see standards.DEFAULT_PARAMETERS.
    parameters = models.JSONField("参数", default=dict, blank=True)

    scope_rule = ScopeRule()

    class Meta:
        verbose_name = "评分规则"
        verbose_name_plural = "评分规则"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def unanswered_label(self) -> str:
        return dict(std.UNANSWERED_POLICIES).get(self.parameters.get("unanswered", std.UNANSWERED_WRONG), "")


class Instrument(TimeStampedModel):
    """A test (问卷/测评工具): its items and answer key."""

    name = models.CharField("名称", max_length=80, unique=True)
    year = models.PositiveSmallIntegerField("版本年份")
    rule_kind = models.CharField("适用的评分规则类型", max_length=30, choices=std.RULE_KINDS)
    description = models.TextField("说明", blank=True)

    scope_rule = ScopeRule()

    class Meta:
        verbose_name = "测评工具"
        verbose_name_plural = "测评工具"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One question: the data-file column it is answered in, its dimension, points and answer key."""

    instrument = models.ForeignKey(Instrument, verbose_name="测评工具", on_delete=models.CASCADE, related_name="items")
    code = models.CharField("题号", max_length=40, help_text="数据文件中该题作答所在列的列名")
    text = models.TextField("题干", blank=True)
    dimension = models.CharField("维度", max_length=20, choices=list(std.DIMENSIONS.items()))
    points = models.DecimalField("分值", max_digits=5, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0.01"))])
    correct = models.CharField("标准答案", max_length=60, help_text="正确选项的编号；多个可接受答案用逗号分隔")
    benchmark = models.PositiveSmallIntegerField("对应基准", null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(26)])
    difficulty = models.FloatField("难度", null=True, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)

    scope_rule = ScopeRule()

    class Meta:
        verbose_name = "题目"
        verbose_name_plural = "题目"
        ordering = ["instrument", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="literacy_item_code_unique")]

    def __str__(self) -> str:
        return self.code


class SurveyWave(TimeStampedModel):
    """One survey (调查轮次): its instrument and rule set, its sample design, its data and results."""

    name = models.CharField("名称", max_length=80, unique=True)
    year = models.PositiveSmallIntegerField("调查年份", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    region = models.ForeignKey("org.Region", verbose_name="调查地区", on_delete=models.PROTECT, related_name="+")
    target_population = models.CharField("调查对象", max_length=60, default="18—69 岁常住居民")
    instrument = models.ForeignKey(Instrument, verbose_name="测评工具", on_delete=models.PROTECT, related_name="waves")
    rule_set = models.ForeignKey(ScoringRuleSet, verbose_name="评分规则", on_delete=models.PROTECT, related_name="waves")
    lonely_psu = models.CharField("单 PSU 层的处理", max_length=12, choices=std.LONELY_PSU_RULES, default="adjust")
    ci_method = models.CharField("置信区间方法", max_length=10, choices=std.CI_METHODS, default="beta")
    calibration = models.CharField("权重校准", max_length=10, choices=std.CALIBRATIONS, default="raking")
    variance_method = models.CharField("方差估计", max_length=12, choices=std.VARIANCE_METHODS, default="taylor")
    max_cv = models.DecimalField("可发布的最大变异系数", max_digits=4, decimal_places=2, default=Decimal("0.30"),
                                 validators=[MinValueValidator(Decimal("0.01"))])
    min_n = models.PositiveIntegerField("可发布的最少样本量", default=30)
    notes = models.TextField("备注", blank=True)
    # The validated data: canonical columns (see kepu.literacy.datafiles), Parquet.
    data_file = models.FileField("数据文件", upload_to="literacy/waves/", blank=True)
    data_rows = models.PositiveIntegerField("样本量", default=0)
    column_mapping = models.JSONField("列对应", default=dict, blank=True)
    domains = models.JSONField("分组变量", default=list, blank=True)
    has_fpc = models.BooleanField("含有限总体校正", default=False)
    imported_at = models.DateTimeField("数据导入时间", null=True, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_rule = ScopeRule(region="region")

    class Meta:
        verbose_name = "调查轮次"
        verbose_name_plural = "调查轮次"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_data(self) -> bool:
        return bool(self.data_file)


class UploadStatus(models.TextChoices):
    UPLOADED = "uploaded", "待确认列对应"
    VALIDATING = "validating", "校验中"
    IMPORTED = "imported", "已导入"
    REJECTED = "rejected", "未通过校验"


class DataUpload(models.Model):
    """A respondent-data file on its way into a wave: header read, mapping proposed, then validated."""

    wave = models.ForeignKey(SurveyWave, verbose_name="调查轮次", on_delete=models.CASCADE, related_name="uploads")
    file = models.FileField("文件", upload_to="literacy/uploads/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    file_format = models.CharField("格式", max_length=10)
    columns = models.JSONField("列名", default=list)
    preview = models.JSONField("前几行", default=list)
    mapping = models.JSONField("列对应", default=dict, blank=True)
    status = models.CharField("状态", max_length=12, choices=UploadStatus.choices, default=UploadStatus.UPLOADED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    errors = models.JSONField("错误（前 200 条）", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误总数", default=0)
    row_count = models.PositiveIntegerField("行数", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    scope_rule = ScopeRule(region="wave__region")

    class Meta:
        verbose_name = "数据文件导入"
        verbose_name_plural = "数据文件导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class PopulationMargin(models.Model):
    """A population total the wave's weights are calibrated to (census: sex, age band, urban/rural, area)."""

    wave = models.ForeignKey(SurveyWave, verbose_name="调查轮次", on_delete=models.CASCADE, related_name="margins")
    variable = models.CharField("变量", max_length=20, choices=[(v, std.DOMAIN_LABELS[v]) for v in std.MARGIN_VARIABLES])
    level = models.CharField("类别", max_length=60, help_text="区县/镇街为 12 位区划代码")
    level_label = models.CharField("类别名称", max_length=60)
    total = models.PositiveBigIntegerField("人口数")
    source = models.CharField("来源", max_length=80, blank=True)

    scope_rule = ScopeRule(region="wave__region")

    class Meta:
        verbose_name = "人口控制数"
        verbose_name_plural = "人口控制数"
        ordering = ["wave", "variable", "level"]
        constraints = [models.UniqueConstraint(fields=["wave", "variable", "level"], name="literacy_margin_unique")]

    def __str__(self) -> str:
        return f"{self.get_variable_display()}·{self.level_label}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class EstimationRun(models.Model):
    """One estimation of a wave, computed in the background; its results are a snapshot."""

    wave = models.ForeignKey(SurveyWave, verbose_name="调查轮次", on_delete=models.PROTECT, related_name="runs")
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", default=timezone.now)  # kepu.core.leases
    attempts = models.PositiveSmallIntegerField("重试次数", default=0)
    options = models.JSONField("方法参数", default=dict, blank=True)
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    scope_rule = ScopeRule(region="wave__region")

    class Meta:
        verbose_name = "测算"
        verbose_name_plural = "测算"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["wave", "status", "-created_at"], name="literacy_run_wave_status")]

    def __str__(self) -> str:
        return f"{self.wave} 测算 #{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class EstimateMethod(models.TextChoices):
    DIRECT = "direct", "直接估计"
    FAY_HERRIOT = "fay_herriot", "小区域估计（Fay–Herriot）"


class Estimate(models.Model):
    """One figure of a run: an indicator, overall or for one domain level, with its precision."""

    run = models.ForeignKey(EstimationRun, verbose_name="测算", on_delete=models.CASCADE, related_name="estimates")
    indicator = models.CharField("指标", max_length=40)
    domain = models.CharField("分组变量", max_length=20, blank=True)
    domain_value = models.CharField("分组", max_length=60, blank=True)
    domain_label = models.CharField("分组名称", max_length=60, blank=True)
    method = models.CharField("方法", max_length=12, choices=EstimateMethod.choices, default=EstimateMethod.DIRECT)
    estimate = models.FloatField("估计值")
    se = models.FloatField("标准误", null=True, blank=True)
    ci_low = models.FloatField("置信区间下限", null=True, blank=True)
    ci_high = models.FloatField("置信区间上限", null=True, blank=True)
    deff = models.FloatField("设计效应", null=True, blank=True)
    df = models.FloatField("自由度", null=True, blank=True)
    n = models.PositiveIntegerField("样本量")
    cv = models.FloatField("变异系数", null=True, blank=True)
    publishable = models.BooleanField("达到发布要求", default=True)
    sort = models.PositiveIntegerField(default=0)

    scope_rule = ScopeRule(region="run__wave__region")

    class Meta:
        verbose_name = "估计值"
        verbose_name_plural = "估计值"
        ordering = ["run", "domain", "sort", "indicator"]
        indexes = [models.Index(fields=["run", "domain", "indicator"], name="literacy_estimate_lookup")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.domain_label or '总体'} {self.estimate:.4f}"

    @property
    def indicator_label(self) -> str:
        return std.INDICATOR_LABELS.get(self.indicator, self.indicator)

    @property
    def is_small_area(self) -> bool:
        return self.method == EstimateMethod.FAY_HERRIOT


class MethodChange(models.Model):
    """A change of scoring rule or instrument between a wave and the one before it (marked on trends)."""

    wave = models.OneToOneField(SurveyWave, verbose_name="调查轮次", on_delete=models.CASCADE,
                                related_name="method_change")
    previous_wave = models.ForeignKey(SurveyWave, verbose_name="上一轮次", on_delete=models.CASCADE, related_name="+")
    summary = models.TextField("变化说明")
    recorded_at = models.DateTimeField("记录时间", auto_now=True)

    scope_rule = ScopeRule(region="wave__region")

    class Meta:
        verbose_name = "口径变化"
        verbose_name_plural = "口径变化"

    def __str__(self) -> str:
        return self.summary


class TargetKind(models.TextChoices):
    NATIONAL = "national", "国家目标"
    CITY = "city", "本地目标"


class LiteracyTarget(models.Model):
    """A goal for the literacy ratio: the national 15 % (2025) and 25 % (2035), the city's own."""

    kind = models.CharField("类别", max_length=10, choices=TargetKind.choices)
    year = models.PositiveSmallIntegerField("目标年份", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    value = models.DecimalField("目标值（%）", max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    source = models.CharField("依据", max_length=120, blank=True)

    scope_rule = ScopeRule()

    class Meta:
        verbose_name = "目标值"
        verbose_name_plural = "目标值"
        ordering = ["year", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="literacy_target_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}年 {self.value}%"
