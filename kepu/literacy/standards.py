"""The policy's fixed vocabulary for literacy monitoring: rule kinds, dimensions, levels, domains, targets.

Plain Python (no Django), so the scoring functions, the migrations and the demo share one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------- scoring rules
NATIONAL_2022 = "national2022"
BENCHMARK_2016 = "benchmark2016"
LEGACY = "three_dimension_legacy"

RULE_KINDS = (
    (NATIONAL_2022, "现行国家标准（百分制四维度，≥70 分具备）"),
    (BENCHMARK_2016, "2016 基准测试（50 题每题 2 分，正确率≥60%）"),
    (LEGACY, "旧版三维度标准（各维度均达标）"),
)

DIMENSIONS = {
    "knowledge": "科学知识",
    "method": "科学方法",
    "spirit": "科学精神与思想",
    "application": "应用科学的能力",
    "society": "科学与社会",
}

UNANSWERED_WRONG = "wrong"
UNANSWERED_EXCLUDE = "exclude"
UNANSWERED_POLICIES = (
    (UNANSWERED_WRONG, "未作答计为答错（默认）"),
    (UNANSWERED_EXCLUDE, "未作答题目不计入分母"),
)

# Levels, best first; a band's threshold is inclusive (score >= threshold).
LEVELS = ("advanced", "literate", "basic", "low")
LEVEL_LABELS = {"advanced": "具备高阶", "literate": "具备", "basic": "基本具备", "low": "较低"}

# The default parameters of each rule kind (an office may change cut-offs per rule set).
DEFAULT_PARAMETERS: dict[str, dict[str, Any]] = {
    NATIONAL_2022: {
        "dimension_weights": {"knowledge": 40, "method": 20, "spirit": 20, "application": 20},
        "pass_mark": 70,
        "bands": {"advanced": 85, "literate": 70, "basic": 55},
        "unanswered": UNANSWERED_WRONG,
    },
    BENCHMARK_2016: {
        "pass_mark": 60,  # per cent of the points (50 items x 2 points = 100)
        "bands": {},
        "unanswered": UNANSWERED_WRONG,
    },
    LEGACY: {
        # Per cent correct needed in each dimension; literate only when every dimension passes.
        "dimension_cutoffs": {"knowledge": 60, "method": 60, "society": 60},
        "bands": {},
        "unanswered": UNANSWERED_WRONG,
    },
}

STANDARD_RULE_SETS = (
    (NATIONAL_2022, "国家标准（2022 年起）", "科学知识 40 分、科学方法 20 分、科学精神与思想 20 分、应用科学的能力 20 分，"
     "总分≥70 分为具备科学素质；≥85 具备高阶、≥70 具备、≥55 基本具备、<55 较低（均含本数）。"),
    (BENCHMARK_2016, "2016 基准测试", "《中国公民科学素质基准》测试卷 50 题、每题 2 分，正确率≥60% 为具备科学素质。"),
    (LEGACY, "旧版三维度标准", "科学知识、科学方法、科学与社会三个维度均达到合格线方为具备科学素质。"),
)


# ---------------------------------------------------------------- survey data: design and domains
@dataclass(frozen=True)
class ColumnRole:
    """A column kepu needs from a survey data file, with the header names it is recognised by."""

    code: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False
    note: str = ""


DESIGN_ROLES = (
    ColumnRole("respondent", "问卷编号", ("问卷编号", "样本编号", "编号", "id", "respondent", "respondent_id", "respid",
                                      "caseid")),
    ColumnRole("strata", "层（strata）", ("层", "分层", "层号", "抽样层", "strata", "stratum", "strat"), required=True),
    ColumnRole("psu", "初级抽样单元（PSU）", ("初级抽样单元", "psu", "村居", "村居编号", "社区", "cluster", "cluster_id",
                                          "village"), required=True),
    ColumnRole("weight", "权重", ("权重", "设计权重", "抽样权重", "weight", "wt", "w", "pw", "final_weight"),
             required=True),
    ColumnRole("fpc", "有限总体校正（fpc）", ("fpc", "有限总体校正", "层总体规模", "总体规模", "抽样比"),
             note="层内总体初级抽样单元数（≥1）或抽样比（≤1），同层取值相同"),
)

# Domain variables (the groups estimates are broken down by). Values are checked against a code list
# where the policy has one; `codes` maps an accepted spelling to the canonical label.
_URBAN = {"1": "城镇", "城镇": "城镇", "城市": "城镇", "城": "城镇", "urban": "城镇",
          "2": "乡村", "乡村": "乡村", "农村": "乡村", "乡": "乡村", "rural": "乡村"}
_SEX = {"1": "男", "男": "男", "男性": "男", "m": "男", "male": "男",
        "2": "女", "女": "女", "女性": "女", "f": "女", "female": "女"}
AGE_BANDS = ("18—29岁", "30—39岁", "40—49岁", "50—59岁", "60—69岁")
_AGE = {str(i + 1): band for i, band in enumerate(AGE_BANDS)}
for _band in AGE_BANDS:
    _low, _high = _band.rstrip("岁").split("—")
    for _dash in ("—", "-", "–", "~", "～", "至"):
        _AGE[f"{_low}{_dash}{_high}"] = _band
        _AGE[f"{_low}{_dash}{_high}岁"] = _band
EDUCATION = ("小学及以下", "初中", "高中（中专）", "大专及以上")
_EDU = {"1": EDUCATION[0], "2": EDUCATION[1], "3": EDUCATION[2], "4": EDUCATION[3],
        "小学及以下": EDUCATION[0], "小学": EDUCATION[0], "未上学": EDUCATION[0], "不识字": EDUCATION[0],
        "初中": EDUCATION[1],
        "高中（中专）": EDUCATION[2], "高中(中专)": EDUCATION[2], "高中": EDUCATION[2], "中专": EDUCATION[2],
        "职高": EDUCATION[2], "技校": EDUCATION[2], "高中/中专": EDUCATION[2],
        "大专及以上": EDUCATION[3], "大专": EDUCATION[3], "本科": EDUCATION[3], "大学本科": EDUCATION[3],
        "研究生": EDUCATION[3], "研究生及以上": EDUCATION[3]}


@dataclass(frozen=True)
class DomainRole(ColumnRole):
    codes: dict[str, str] | None = None  # None: free text (or region names/codes for district)
    order: tuple[str, ...] = ()


DOMAIN_ROLES = (
    DomainRole("district", "区县/镇街", ("区县", "镇街", "乡镇", "镇", "街道", "地区", "所在镇", "district", "town", "area",
                                      "region"), note="填写区划名称或 12 位区划代码"),
    DomainRole("urban_rural", "城乡", ("城乡", "城乡属性", "城乡类型", "urban_rural", "urban", "ur"), codes=_URBAN,
               order=("城镇", "乡村")),
    DomainRole("sex", "性别", ("性别", "sex", "gender"), codes=_SEX, order=("男", "女")),
    DomainRole("age_band", "年龄段", ("年龄段", "年龄组", "年龄", "age_band", "age_group", "agegroup", "age"),
               codes=_AGE, order=AGE_BANDS, note="年龄段，或 18—69 之间的周岁年龄"),
    DomainRole("education", "文化程度", ("文化程度", "学历", "受教育程度", "education", "edu"), codes=_EDU,
               order=EDUCATION),
    DomainRole("occupation", "职业", ("职业", "职业类型", "occupation", "job")),
    DomainRole("priority_group", "重点人群", ("重点人群", "人群", "人群类别", "priority_group", "group")),
)
DOMAIN_LABELS = {d.code: d.label for d in DOMAIN_ROLES}
MISSING_DOMAIN = "未填报"

LONELY_PSU_RULES = (
    ("adjust", "调整（以总体均值为中心，保守）"),
    ("average", "平均（以其他层的平均方差代替）"),
    ("certainty", "视为必然入样（方差贡献为 0）"),
    ("remove", "剔除（方差贡献为 0）"),
    ("fail", "报错（不允许单 PSU 层）"),
)
CI_METHODS = (
    ("logit", "Logit 变换区间"),
    ("beta", "Korn–Graubard（Beta）区间"),
    ("wilson", "Wilson 区间"),
    ("wald", "Wald 区间（估计值 ± t·标准误）"),
)
CALIBRATIONS = (
    ("raking", "耙权（raking）到人口控制数"),
    ("linear", "线性校准（GREG）到人口控制数"),
    ("none", "不校准（仅用设计权重）"),
)
VARIANCE_METHODS = (
    ("taylor", "泰勒线性化"),
    ("JKn", "分层刀切法（JKn）"),
    ("JK1", "刀切法（JK1）"),
    ("bootstrap", "自助法（bootstrap，200 次复制）"),
)

# Margins weighting may use (census by sex x age band x urban/rural x district).
MARGIN_VARIABLES = ("district", "urban_rural", "sex", "age_band", "education")

# ---------------------------------------------------------------- indicators and targets
RATIO = "literacy_ratio"
INDICATOR_LABELS = {
    RATIO: "具备科学素质的比例",
    **{f"level_{code}": f"{label}水平占比" for code, label in LEVEL_LABELS.items()},
    "score_total": "平均总分",
    **{f"dimension_{code}": f"{label}平均得分" for code, label in DIMENSIONS.items()},
}
PROPORTION_INDICATORS = frozenset({RATIO, *(f"level_{code}" for code in LEVELS)})

NATIONAL_TARGETS = ((2025, 15), (2035, 25))  # 《全民科学素质行动规划纲要（2021—2035年）》
