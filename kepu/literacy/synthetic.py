"""A deterministic synthetic literacy survey of the demo city, shaped like the real one.

Stratified two-stage design: strata are town × urban/rural, PSUs are communities/villages drawn
within each stratum, a cluster of adults 18–69 interviewed in each; design weights N_h / n_h with a
household-size adjustment. A few towns have small samples (the small-area case) and one stratum a
single PSU (the lonely-PSU case). Answers follow a two-parameter logistic model of a latent ability
that depends on education, age, urban/rural, town and community, so that the level structure and
group gaps look like the national survey's. No Django: the demo seed and the tests both use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from kepu.literacy.standards import AGE_BANDS, EDUCATION


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    adults: int  # residents aged 18–69
    urban_share: float
    psus: tuple[int, int]  # sampled communities (urban, rural)
    cluster: int  # respondents per community
    effect: float  # the town's ability shift


TOWNS = (
    Town("320583100000", "玉山镇", 452_000, 0.95, (14, 2), 24, 0.20),
    Town("320583101000", "巴城镇", 88_000, 0.62, (4, 4), 20, -0.10),
    Town("320583102000", "周市镇", 121_000, 0.78, (6, 3), 22, 0.05),
    Town("320583103000", "陆家镇", 97_000, 0.80, (5, 2), 22, 0.05),
    Town("320583104000", "花桥镇", 168_000, 0.90, (7, 2), 22, 0.25),
    Town("320583105000", "淀山湖镇", 44_000, 0.55, (1, 2), 12, -0.15),
    Town("320583106000", "张浦镇", 109_000, 0.66, (4, 4), 20, -0.05),
    Town("320583107000", "周庄镇", 24_000, 0.50, (1, 1), 13, -0.10),
    Town("320583108000", "千灯镇", 81_000, 0.64, (4, 3), 20, 0.00),
    Town("320583109000", "锦溪镇", 31_000, 0.48, (1, 2), 10, -0.25),
    Town("320583400000", "昆山开发区", 335_000, 0.97, (12, 1), 24, 0.30),
)

OCCUPATIONS = ("农林牧渔生产人员", "生产制造及有关人员", "社会生产服务和生活服务人员", "专业技术人员",
               "党政机关和企事业单位负责人及办事人员", "学生及待业人员", "离退休及其他人员")
PRIORITY_GROUPS = ("农民", "产业工人", "老年人", "领导干部和公务员", "城镇劳动者", "其他")

# Share of adults by age band, and of each education level by age band (older: less schooling).
AGE_SHARES = np.array([0.21, 0.24, 0.22, 0.19, 0.14])
EDU_BY_AGE = np.array([
    [0.03, 0.20, 0.30, 0.47],
    [0.05, 0.28, 0.27, 0.40],
    [0.10, 0.40, 0.25, 0.25],
    [0.20, 0.45, 0.23, 0.12],
    [0.38, 0.40, 0.15, 0.07],
])
EDU_EFFECT = np.array([-0.65, -0.35, 0.15, 0.80])
AGE_EFFECT = np.array([0.25, 0.20, 0.0, -0.20, -0.45])


@dataclass(frozen=True)
class ItemSpec:
    code: str
    dimension: str
    points: float
    correct: int
    difficulty: float
    benchmark: int | None
    text: str


_STEMS = {
    "knowledge": ("地球的板块运动会造成地震。", "抗生素能够杀死病毒。", "光速比声速快。", "人类是从早期的动物进化而来的。",
                  "激光因汇聚声波而产生。", "所有的放射性现象都是人为造成的。", "父亲的基因决定孩子的性别。",
                  "植物也需要呼吸。", "接种疫苗可以预防相应的传染病。", "电子比原子小。", "地球围绕太阳转一圈需要一年。",
                  "高血压患者应长期限盐。", "二氧化碳是主要的温室气体之一。", "病毒可以用显微镜直接用肉眼看到。",
                  "食物中的碳水化合物是人体能量的主要来源。", "雷雨天在大树下避雨是安全的。"),
    "method": ("检验一种新药疗效时，设置对照组的目的是什么？", "“科学地研究”某事物，最重要的是什么？",
               "判断一条健康信息是否可信，首先应看什么？", "抛硬币连续五次正面朝上，第六次正面朝上的概率是多少？",
               "一项调查只询问了上网的人，这个结论能推广到全体居民吗？", "相关关系是否等于因果关系？",
               "实验结果与假设不符时，正确的做法是什么？", "阅读统计图时，首先要注意什么？"),
    "spirit": ("科学结论在新的证据面前可以修正。", "对于网上流传的“神奇疗法”，应当怎样看待？",
               "科学研究应当遵守伦理规范。", "科学技术既能造福人类，也可能带来风险。", "面对权威的说法，科学的态度是？",
               "求证一条信息的来源属于哪种精神？", "科学家之间的争论对科学发展有益吗？", "迷信活动与科学的根本区别是？"),
    "application": ("家用电器起火时，第一步应当怎么做？", "读懂药品说明书中的“禁忌”一项的含义。",
                    "根据天气预报的降水概率安排出行。", "识别一条短信是否为电信诈骗。", "发生地震时在室内应如何避险？",
                    "判断食品包装上的营养成分表。", "使用手机办理政务服务时如何保护个人信息？", "家庭垃圾应如何分类投放？"),
}


def national_items() -> list[ItemSpec]:
    """The 2024 instrument: 40 items, 2.5 points each (科学知识 16, 方法 8, 精神 8, 应用 8 → 40/20/20/20)."""
    rng = np.random.default_rng(2024)
    items = []
    for prefix, dimension, count in (("K", "knowledge", 16), ("M", "method", 8), ("S", "spirit", 8), ("A", "application", 8)):
        for i in range(count):
            items.append(ItemSpec(f"{prefix}{i + 1:02d}", dimension, 2.5, int(rng.integers(1, 5)),
                                  float(np.round(rng.normal(-0.9, 0.9), 2)), None, _STEMS[dimension][i]))
    return items


def benchmark_items() -> list[ItemSpec]:
    """The 2016 benchmark test: 50 items × 2 points, each tied to one of the 26 benchmarks."""
    rng = np.random.default_rng(2016)
    dims = ["knowledge"] * 30 + ["method"] * 10 + ["society"] * 10
    stems = [*_STEMS["knowledge"], *_STEMS["method"], *_STEMS["spirit"], *_STEMS["application"]]
    return [ItemSpec(f"B{i + 1:02d}", dims[i], 2.0, int(rng.integers(1, 5)), float(np.round(rng.normal(-0.55, 0.8), 2)),
                     i % 26 + 1, stems[i % len(stems)]) for i in range(50)]


def survey(items: list[ItemSpec], *, seed: int, shift: float, scale: float = 1.0, psu_factor: int = 2,
           cluster_extra: int = 0) -> pl.DataFrame:
    """One wave's respondents as a file would have them: Chinese headers, codes, one column per item.

    `psu_factor` multiplies the communities sampled in the larger strata (the small towns keep
    their few), so the sample is about 1,900 × `psu_factor` respondents.
    """
    rng = np.random.default_rng(seed)
    parts = []
    for town in TOWNS:
        for urban, count in ((True, town.psus[0]), (False, town.psus[1])):
            if count:
                count = count * psu_factor if count >= 3 else count
                parts.append(_stratum(rng, town, urban, count, items, shift, scale, cluster_extra))
    frame = pl.concat(parts)
    return frame.with_columns(pl.Series("问卷编号", [f"{seed % 10000:04d}{i:05d}" for i in range(frame.height)]))


def _stratum(rng: np.random.Generator, town: Town, urban: bool, psus: int, items: list[ItemSpec], shift: float,
             scale: float, cluster_extra: int) -> pl.DataFrame:
    share = town.urban_share if urban else 1 - town.urban_share
    adults = town.adults * share
    cluster = town.cluster + (2 if urban else 0) + (cluster_extra if psus >= 3 else 0)
    n = psus * cluster
    psu = np.repeat(np.arange(psus), cluster)
    age = rng.choice(5, size=n, p=AGE_SHARES if urban else (AGE_SHARES + np.array([-.04, -.03, 0, .03, .04])))
    edu_probs = EDU_BY_AGE[age] + (0 if urban else np.array([0.06, 0.04, -0.03, -0.07]))
    edu = np.array([rng.choice(4, p=p / p.sum()) for p in edu_probs])
    sex = rng.integers(0, 2, size=n)
    community = rng.normal(0, 0.25, size=psus)[psu]
    theta = (shift + town.effect + EDU_EFFECT[edu] + AGE_EFFECT[age] + (0.15 if urban else -0.15)
             + 0.08 * (sex == 0) + community + rng.normal(0, 0.75, size=n)) * scale
    occupation = _occupation(rng, age, edu, urban)
    household = rng.integers(1, 4, size=n)
    weight = adults / n * household / household.mean() * rng.uniform(0.95, 1.05, size=n)
    kind = "社区" if urban else "村"
    data: dict[str, object] = {
        "层": [f"{town.name}{'城镇' if urban else '乡村'}"] * n,
        "村居编号": [f"{town.code[:9]}{'1' if urban else '2'}{p + 1:02d}" for p in psu],
        "村居": [f"{town.name}第{p + 1}{kind}" for p in psu],
        "权重": np.round(weight, 4),
        "镇": [town.name] * n,
        "城乡": np.full(n, 1 if urban else 2),
        "性别": np.where(sex == 0, "男", "女"),
        "年龄": np.array([18, 30, 40, 50, 60])[age] + rng.integers(0, 10, size=n) + (age == 0) * rng.integers(0, 3, size=n),
        "文化程度": [EDUCATION[e] for e in edu],
        "职业": [OCCUPATIONS[o] for o in occupation],
        "重点人群": _priority(age, occupation, urban),
    }
    for item in items:
        data[item.code] = _answers(rng, theta, item)
    return pl.DataFrame(data)


def _occupation(rng: np.random.Generator, age: np.ndarray, edu: np.ndarray, urban: bool) -> np.ndarray:
    base = np.array([0.02, 0.32, 0.28, 0.14, 0.08, 0.06, 0.10]) if urban else \
        np.array([0.22, 0.32, 0.18, 0.06, 0.04, 0.05, 0.13])
    probs = np.tile(base, (age.size, 1))
    probs[:, 3] *= np.where(edu == 3, 3.0, 0.5)
    probs[:, 4] *= np.where(edu >= 2, 1.8, 0.4)
    probs[:, 6] *= np.where(age == 4, 6.0, 0.3)
    probs[:, 5] *= np.where(age == 0, 4.0, 0.2)
    probs /= probs.sum(axis=1, keepdims=True)
    cumulative = probs.cumsum(axis=1)
    return (rng.random(age.size)[:, None] > cumulative).sum(axis=1)


def _priority(age: np.ndarray, occupation: np.ndarray, urban: bool) -> list[str]:
    groups = []
    for a, o in zip(age, occupation, strict=True):
        if a == 4:
            groups.append("老年人")
        elif o == 0:
            groups.append("农民")
        elif o == 1:
            groups.append("产业工人")
        elif o == 4:
            groups.append("领导干部和公务员")
        else:
            groups.append("城镇劳动者" if urban else "其他")
    return groups


def _answers(rng: np.random.Generator, theta: np.ndarray, item: ItemSpec) -> np.ndarray:
    p = 1 / (1 + np.exp(-1.6 * (theta - item.difficulty)))
    correct = rng.random(theta.size) < p
    wrong = rng.integers(1, 4, size=theta.size)
    wrong = np.where(wrong >= item.correct, wrong + 1, wrong)  # any option but the right one
    wrong = np.where(rng.random(theta.size) < 0.12, 9, wrong)  # 9 = 不知道
    answers = np.where(correct, item.correct, wrong).astype(np.float64)
    answers[rng.random(theta.size) < 0.01] = np.nan  # unanswered
    return answers


def margins(*, year: int) -> dict[str, dict[str, float]]:
    """Census-style population totals (adults 18–69) by town, urban/rural, sex and age band."""
    growth = 1 + 0.012 * (year - 2020)
    towns = {t.code: round(t.adults * growth) for t in TOWNS}
    total = sum(towns.values())
    urban = sum(t.adults * t.urban_share for t in TOWNS) * growth
    return {
        "district": {k: float(v) for k, v in towns.items()},
        "urban_rural": {"城镇": float(round(urban)), "乡村": float(total - round(urban))},
        "sex": {"男": float(round(total * 0.518)), "女": float(total - round(total * 0.518))},
        "age_band": _split(total, AGE_SHARES, AGE_BANDS),
    }


def _split(total: int, shares: np.ndarray, labels: tuple[str, ...]) -> dict[str, float]:
    counts = np.floor(total * shares / shares.sum()).astype(int)
    counts[0] += total - counts.sum()
    return {label: float(c) for label, c in zip(labels, counts, strict=True)}
