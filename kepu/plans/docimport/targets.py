"""Numeric targets: "到2025年…比例力争达到23%", "每年培训农民1500人次", "创建…基地30家以上".

A target is a number followed by a unit of measure from a fixed list (%, 人次, 所, 家, 万人 …);
numbers that are years, ages, ordinals (第…), or inside quotation marks (“十四五”, “两个维护”) are
not targets. Its name is the noun phrase before the number within its clause, with time, place
and verb words trimmed ("公民具备科学素质的比例"); when only a verb is left ("争取创建40所…学校")
the name is taken from the words after the unit. The year is the nearest year written before the
number in its sentence, or "每年/年均" for annual targets; the direction comes from words such as
达到/超过/以上/不低于 (≥) and 控制在/以内/以下/不超过 (≤), else "=".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .dates import FIVE_YEAR_PLANS
from .numbering import cn_to_int
from .schema import Direction, Indicator

MEASURES = sorted(
    [
        "%", "个百分点", "万人次", "人次", "万人", "万名", "人", "名", "位", "万所", "所", "万家", "家",
        "万个", "个", "场次", "万场", "场", "次", "项", "座", "处", "支", "批", "期", "部", "件", "篇",
        "册", "本", "种", "门", "节", "课时", "学时", "万小时", "小时", "亿元", "万元", "元",
        "万平方米", "平方米", "公里", "千米", "万户", "户", "套", "台", "亩", "万亩", "吨", "所次", "班次", "人天",
    ],
    key=len,
    reverse=True,
)
_MEASURE = "|".join(re.escape(unit) for unit in MEASURES)
_NUMBER = re.compile(
    rf"(?<![\d.第A-Za-z零〇一二两三四五六七八九十百千万亿])"
    rf"(?:(?P<arabic>\d+(?:,\d{{3}})*(?:\.\d+)?)(?P<mag>[万亿])?"
    rf"|百分之(?P<pct>[零〇一二两三四五六七八九十百]+(?:点[零〇一二三四五六七八九]+)?|\d+(?:\.\d+)?)"
    rf"|(?P<cn>[零〇一二两三四五六七八九十百千万亿]+))"
    rf"(?P<approx>余|多)?(?P<unit>{_MEASURE})?(?P<qual>以上|以内|以下|左右)?"
)
_QUOTED = re.compile(r"“[^”]{0,40}”|《[^》]{0,80}》|「[^」]{0,40}」|‘[^’]{0,40}’")
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
_CLAUSE_BOUNDARY = "，。；：、！？\n"

_LEAD_WORDS = re.compile(
    r"^(?:（[\d一二三四五六七八九十]{1,3}）|\d{1,2}[、.]|[\u2460-\u249b]"
    r"|其中|同时|并且|并|且|力争|争取|确保|努力|实现|全年|年内|此外|另外"
    r"|(?:到|至|截至|截止|在)?(?:19|20)\d{2}年(?:底|末|前)?|(?:在)?“?十[三四五六]五”?(?:期间|时期|期末|末)?"
    r"|每年度?|年均|逐年|累计|总计|全市|全县|全区|全省|全国|全镇|我市|本市|我县|本县|我区|本区|我省|我国|各地"
    r"|[\u4e00-\u9fff]{2,3}市(?=公民|居民|人口|城乡)|(?:19|20)\d{2}年目标|远景目标|目标)"
)
_TRAIL_WORDS = re.compile(
    r"(?:力争|争取|努力|确保|要|累计|新增|达成|达到|达|超过|不低于|不少于|提高到|提升到|提高至|提升至|增加到|增长到|增至"
    r"|突破|控制在|降低到|降低至|降到|降至|下降到|下降至|减少到|不超过|不高于|低于|保持在|稳定在|为|至|在|到|约|近)$"
)
_MORE = re.compile(r"达到|达|超过|不低于|不少于|提高|提升|增加|增长|突破|力争|争取|至少|逾|以上|保持|稳定在")
_LESS = re.compile(r"控制在|不超过|不高于|低于|降低|降到|降至|下降|减少到|压减|少于|以内|以下")
_CREATE_WORDS = "创建|创成|建成|建设|新建|打造|培育|建立|新增|认定|评选|命名|认证|遴选|评定"
_CREATE = re.compile(rf"^(?:{_CREATE_WORDS})")
_ENDS_WITH_VERB = re.compile(rf"(?:{_CREATE_WORDS}|培训|资助|举办|开展|组建|发展|招募|吸纳|扶持|服务|覆盖)$")
_LEVEL = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:国家|省|市|县|区)级(?:及)?(?:以上)?(?:的)?")
_ANNUAL = re.compile(r"每年度?|年均|每一年|逐年")
_YEAR_OR_FIVE = re.compile(r"((?:19|20)\d{2})年(?!以来|来|起)|“?(十[三四五六]五)”?")


# A count of the plan's own programme items ("五项提升行动", "重点工程 5 个") is not a target.
_PROGRAMME = re.compile(r"(行动|工程|任务|计划|举措|措施|方面|领域|重点|板块|专项|内容|要求|原则)$")
_ITEM_UNITS = {"项", "个", "批", "条", "类", "大", "件", "部分"}

_CHANGE = r"(?:提高|提升|增加|增长|扩大|降低|下降|减少|压减|缩小)(?:到|至)"
_FROM_BASELINE = re.compile(rf"(?:由|从)(?P<base>\d+(?:\.\d+)?)(?:%|[^\d，。；、]{{0,3}}?)(?P<change>{_CHANGE})$")
_BASELINE_AHEAD = re.compile(rf"^{_CHANGE}")
_RANGE_END = re.compile(r"(?:[\d%]|[万亿人个家所次场])\s*[—\-－～~至]$")


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _value(match: re.Match[str]) -> tuple[Decimal, str] | None:
    """The number as a Decimal and the unit it is measured in."""
    unit = match.group("unit") or ""
    try:
        if match.group("pct"):
            raw = match.group("pct")
            value = Decimal(raw) if raw[0].isdigit() else _cn_decimal(raw)
            return value, "%"
        if match.group("arabic"):
            value = Decimal(match.group("arabic").replace(",", ""))
            if match.group("mag") and unit:
                unit = match.group("mag") + unit
            return value, unit
        if not re.search("[一二两三四五六七八九十]", match.group("cn")):
            return None  # a bare 万/亿/千 is a word ("万元GDP"), not a number
        return Decimal(cn_to_int(match.group("cn"))), unit
    except (InvalidOperation, ValueError):
        return None


def _cn_decimal(text: str) -> Decimal:
    whole, _, fraction = text.partition("点")
    digits = "零一二三四五六七八九"
    value = Decimal(cn_to_int(whole)) if whole else Decimal(0)
    if fraction:
        value += Decimal("0." + "".join(str(digits.index(ch) if ch in digits else 0) for ch in fraction))
    return value


def _plausible(match: re.Match[str], value: Decimal, unit: str, prefix: str) -> bool:
    if not unit:
        return False
    if match.group("cn"):
        # Chinese numerals are mostly words ("一批" "两个维护" "三下乡"); take them when they count
        cue = re.search(r"(达到|不少于|新增|累计|建成|创建|培训|每年|至少)$", prefix)
        return value >= 10 or bool(match.group("qual")) or bool(cue)
    return True


def _strip(name: str) -> tuple[str, str, str]:
    """(leading words, name, trailing words) of the phrase before a number."""
    lead = ""
    while (match := _LEAD_WORDS.match(name)) and match.end() > 0:
        lead += match.group(0)
        name = name[match.end() :]
    trail = ""
    while (match := _TRAIL_WORDS.search(name)) and match.start() < len(name):
        trail = match.group(0) + trail
        name = name[: match.start()]
    return lead, name, trail


def _after_unit(text: str) -> str:
    """The noun phrase after "…40所", up to the clause end: quoted name first."""
    end = len(text)
    for index, ch in enumerate(text):
        if ch in _CLAUSE_BOUNDARY or ch == "（":
            end = index
            break
    phrase = text[:end]
    quoted = re.search(r"“([^”]+)”", phrase)
    if quoted:
        return quoted.group(1)
    phrase = _LEVEL.sub("", phrase.lstrip("的"))
    return phrase[:20]


def _name(prefix: str, rest: str) -> tuple[str, str]:
    """The indicator's name and the words around it that carry its direction."""
    lead, core, trail = _strip(prefix)
    created = _CREATE.match(core)
    after = _after_unit(rest)
    if len(core) <= 2 or (created and len(core) == created.end()):
        # only a verb before the number ("争取创建40所…学校"): the thing counted follows the unit
        core = ("" if created else core) + after
    elif after and (verb := _ENDS_WITH_VERB.search(core)) and _CREATE.match(verb.group(0)):
        core = after  # "每个街道建成1个以上科普示范社区"
    elif created:
        core = _LEVEL.sub("", core[created.end() :])
    return core.strip("“”的，、 "), lead + trail


def _written_year(sentence_before: str, default_year: int | None) -> tuple[int | None, bool, bool]:
    """(target year, annual?, whether the sentence itself gives the year or says 每年)."""
    last_year: tuple[int, int] | None = None
    for match in _YEAR_OR_FIVE.finditer(sentence_before):
        year = int(match.group(1)) if match.group(1) else FIVE_YEAR_PLANS[match.group(2)][1]
        last_year = (match.start(), year)
    annual = [m.start() for m in _ANNUAL.finditer(sentence_before)]
    if annual and (last_year is None or annual[-1] > last_year[0]):
        return None, True, True
    if last_year:
        return last_year[1], False, True
    return default_year, False, False


def _direction(cue: str, qualifier: str) -> Direction:
    if qualifier in ("以内", "以下"):
        return "≤"
    if qualifier == "以上" or re.search("不少于|不低于", cue):
        return "≥"
    if _LESS.search(cue):
        return "≤"
    if _MORE.search(cue):
        return "≥"
    return "="


def _clause_start(text: str, position: int) -> int:
    for index in range(position - 1, -1, -1):
        if text[index] in _CLAUSE_BOUNDARY:
            return index + 1
    return 0


def find_indicators(
    text: str, *, default_year: int | None = None, plan_years: tuple[int, int] | None = None
) -> list[Indicator]:
    """Every numeric target in ``text``, in order, without duplicates."""
    found: list[Indicator] = []
    seen: set[tuple[str, Decimal, str, int | None]] = set()
    for sentence_match in _SENTENCE.finditer(text):
        sentence = sentence_match.group(0)
        quoted = _spans(_QUOTED, sentence)
        previous: Indicator | None = None
        for match in _NUMBER.finditer(sentence):
            indicator = _indicator(sentence, match, quoted, default_year, plan_years)
            if indicator is None:
                continue
            if previous and indicator.direction == "=":
                # "人才总量达60万人，高层次人才6.2万人": the verb of the first clause carries on
                indicator.direction = previous.direction
            previous = indicator
            key = (indicator.name, indicator.value, indicator.unit, indicator.year)
            if key not in seen:
                seen.add(key)
                found.append(indicator)
    return found


def _indicator(
    sentence: str,
    match: re.Match[str],
    quoted: list[tuple[int, int]],
    default_year: int | None,
    plan_years: tuple[int, int] | None,
) -> Indicator | None:
    if _inside(match.start(), quoted):
        return None
    parsed = _value(match)
    if parsed is None:
        return None
    value, unit = parsed
    start = _clause_start(sentence, match.start())
    prefix = sentence[start : match.start()]
    if not _plausible(match, value, unit, prefix) or _RANGE_END.search(prefix):
        return None  # "20%—30%": the range is read by its first number
    if re.search(r"(由|从)$", prefix) and _BASELINE_AHEAD.match(sentence[match.end() :]):
        return None  # "由16.7%提高到23%": 16.7 % is the baseline of the next number
    baseline = _FROM_BASELINE.search(prefix)
    if baseline:
        prefix = prefix[: baseline.start()] + prefix[baseline.start("change") :]
    name, cue = _name(prefix, sentence[match.end() :])
    if not name or len(name) < 2:
        return None
    year, annual, written = _written_year(sentence[: match.start()], default_year)
    direction = _direction(cue, match.group("qual") or "")
    if _PROGRAMME.search(name) and unit in _ITEM_UNITS:
        return None  # "实施科学素质提升行动 5项": a count of the plan's own items, not a target
    if direction == "=" and not written and default_year is None:
        return None  # a figure with neither a direction nor a year is a fact, not a target
    years = list(range(plan_years[0], plan_years[1] + 1)) if annual and plan_years else []
    return Indicator(
        name=name,
        value=value,
        unit=unit,
        year=year,
        direction=direction,
        baseline=Decimal(baseline.group("base")) if baseline else None,
        sentence=sentence.strip(),
        annual=annual,
        years=years,
        value_text=match.group(0),
    )
