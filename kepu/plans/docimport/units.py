"""Responsible units: finding the document's attributions, splitting the lists, resolving names.

An *attribution* is the part of a task or section that names who does the work:

* labelled — "（责任单位：A、B等，各区镇）", "（牵头单位：A；配合单位：B、C）", or a line
  "牵头单位：A、B" after a heading;
* by role words — "（A牵头，B、C配合）", "（A、B按职责分工负责）", "（A负责）";
* a bare list of unit-like names in brackets at the end of a sentence — "（市教育局、市科协）".

Lead units are those the document calls 牵头 (or 主责/主办); without such words, the first unit
of a 责任单位 list is the lead and the rest participate. "各区镇" "各乡镇（街道）" and the like are
not units: they set the all-sub-areas marker. "各成员单位" "有关部门" are collective and kept as
written only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .schema import UnitRef, UnitResolver

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")"})
_WHITESPACE = re.compile(r"\s+")


def normalize_unit_name(name: str) -> str:
    """The form unit names and aliases are compared in.

    Full-width letters, digits and brackets folded to half-width (NFKC), all whitespace removed,
    every bracket kind made round: "市委宣传部（市文明办）" → "市委宣传部(市文明办)".
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = _WHITESPACE.sub("", text)
    return text.translate(_BRACKETS)


# --- the words of attributions ------------------------------------------------------------------

LEAD_LABELS = "牵头责任单位|牵头单位|牵头部门|主责单位|主责部门|主办单位|主要责任单位|第一责任单位|责任牵头单位"
PART_LABELS = "配合单位|配合部门|协办单位|协助单位|参与单位|参与部门|参加单位|协同单位|协作单位|配合责任单位"
RESP_LABELS = "责任单位|责任部门|实施单位|承办单位|落实单位|负责单位|责任主体"
STOP_LABELS = "完成时限|完成时间|时间节点|时限要求|进度安排|时限|备注"
_LABEL = re.compile(
    rf"(?P<lead>{LEAD_LABELS})|(?P<part>{PART_LABELS})|(?P<resp>{RESP_LABELS})|(?P<stop>{STOP_LABELS})"
)
_LABEL_COLON = re.compile(rf"(?:{LEAD_LABELS}|{PART_LABELS}|{RESP_LABELS})：")

_LEAD_VERB = re.compile(r"(牵头抓总|牵头负责|牵头落实|牵头实施|牵头)$")
_PART_VERB = re.compile(r"(配合落实|配合实施|共同参与|参与实施|参加实施|配合|参与|参加|协助|协同|协办)$")
_RESP_VERB = re.compile(
    r"(按职责分工负责|按职责分工落实|按职责分工抓好落实|按照职责分工负责|按职责负责|分工负责|分别负责|共同负责"
    r"|具体负责|负责落实|抓好落实|负责)$"
)
_ETC = re.compile(r"等(有关|相关|成员)?(单位|部门)?$")
_SUBAREA = re.compile(
    r"^各(?=.*[区县镇乡街地村])[区县市镇乡街道地村社居委开发功能板块级]{1,6}"
    r"(（[^）]*）)?(人民政府|政府|党委政府|党委和政府|管委会)?$"
)
_MEMBERS = re.compile(r"成员单位$")
_COLLECTIVE = re.compile(r"^(各|有关|相关|其他|其它|全市各|市有关|市相关|市各有关|各有关)|成员单位")
_UNIT_SUFFIX = re.compile(
    r"(局|委|办|部|厅|院|会|协|联|团|中心|公司|集团|银行|馆|站|所|队|处|室|社|台|署|司|校|学院|大学|海关|行|府|组"
    r"|园区|医院|区|县|镇|街道)(（[^）]*）)?$"
)
_NOT_UNIT = re.compile(r"\d|[一二三四五六七八九十]{1,2}月|年底|年内|完成|时限|以前|之前")
_ROLE_IN_BRACKETS = re.compile(r"（(牵头|牵头单位|牵头部门|主责)）")
_PART_IN_BRACKETS = re.compile(r"（(配合|配合单位|参与|协办)）")


@dataclass
class Attribution:
    """The units one passage names, as written, with their roles resolved."""

    leads: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    subarea_marker: str | None = None
    collective: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.leads or self.participants or self.subarea_marker or self.collective)

    @property
    def all_members(self) -> bool:
        """"各成员单位" (of the leading group) answer for the work together."""
        return any(_MEMBERS.search(name) for name in self.collective)

    def merge(self, other: Attribution) -> None:
        for name in other.leads:
            if name not in self.leads:
                self.leads.append(name)
        for name in other.participants:
            if name not in self.participants:
                self.participants.append(name)
        self.participants = [name for name in self.participants if name not in self.leads]
        self.subarea_marker = self.subarea_marker or other.subarea_marker
        self.collective += [name for name in other.collective if name not in self.collective]
        self.spans += other.spans


# --- splitting ----------------------------------------------------------------------------------


def split_top_level(text: str, separators: str) -> list[str]:
    """Split at ``separators`` outside brackets: "市委宣传部（市文明办）、市民政局" → two names."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [part.strip(" 。：") for part in parts if part.strip(" 。：")]


def clean_name(name: str) -> str:
    """A list element without "由", "等", "等单位" and stray punctuation."""
    name = name.strip(" ，。；：、")
    name = re.sub(r"^(由|主要由|请)", "", name)
    name = _ETC.sub("", name).strip()
    return name


def is_unit_like(name: str) -> bool:
    return 2 <= len(name) <= 40 and bool(_UNIT_SUFFIX.search(name))


def _bucket(names: list[str]) -> tuple[list[str], list[str], str | None, list[str], list[str]]:
    """Sort list elements into units, in-bracket leads, the sub-area marker, collectives, junk."""
    units: list[str] = []
    leads: list[str] = []
    marker: str | None = None
    collective: list[str] = []
    junk: list[str] = []
    for raw in names:
        name = clean_name(raw)
        if not name:
            continue
        if _SUBAREA.match(name):
            marker = marker or name
        elif _COLLECTIVE.search(name):
            collective.append(name)
        elif len(name) > 40 or "。" in name or _NOT_UNIT.search(name):
            junk.append(name)
        elif _ROLE_IN_BRACKETS.search(name):
            leads.append(_ROLE_IN_BRACKETS.sub("", name))
        else:
            units.append(_PART_IN_BRACKETS.sub("", name))
    return units, leads, marker, collective, junk


@dataclass
class _Roles:
    leads: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    marker: str | None = None
    collective: list[str] = field(default_factory=list)
    verbs: bool = False
    junk: list[str] = field(default_factory=list)

    def add(self, role: str, text: str) -> None:
        units, leads, marker, collective, junk = _bucket(split_top_level(text, "、，,；;"))
        getattr(self, role).extend(units)
        self.leads.extend(leads)
        self.marker = self.marker or marker
        self.collective.extend(collective)
        self.junk.extend(junk)

    def attribution(self) -> Attribution:
        leads = list(dict.fromkeys(self.leads))
        rest = self.responsible + self.participants
        if not leads and self.responsible:
            leads = [self.responsible[0]]
            rest = self.responsible[1:] + self.participants
        participants = [name for name in dict.fromkeys(rest) if name not in leads]
        return Attribution(leads, participants, self.marker, list(dict.fromkeys(self.collective)))


def _add_clauses(roles: _Roles, text: str, default_role: str) -> None:
    """Roles from "A牵头，B、C配合" clauses; a clause without a role word takes ``default_role``."""
    for clause in split_top_level(text, "，,；;"):
        for pattern, role in ((_LEAD_VERB, "leads"), (_PART_VERB, "participants"), (_RESP_VERB, "responsible")):
            match = pattern.search(clause)
            if match and match.start() > 0:
                roles.verbs = True
                roles.add(role, clause[: match.start()])
                break
        else:
            roles.add(default_role, clause)


def parse_attribution_text(text: str) -> tuple[_Roles, bool]:
    """Roles named in the inside of a bracket or a labelled line; also whether it had labels."""
    roles = _Roles()
    labels = [m for m in _LABEL.finditer(text) if text[m.end() : m.end() + 1] in ("：", ":")]
    if not any(m.lastgroup != "stop" for m in labels):
        labels = []
    if not labels:
        _add_clauses(roles, text, "responsible")
        return roles, False
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        if match.lastgroup == "stop":
            continue  # "完成时限：2024年6月" after the units
        content = text[match.end() + 1 : end].strip(" ；;，,。")
        role = {"lead": "leads", "part": "participants", "resp": "responsible"}[match.lastgroup or "resp"]
        _add_clauses(roles, content, role)
    return roles, True


def cell_attribution(cells: list[tuple[str, str]]) -> Attribution:
    """The units of a table row's unit columns: [("leads", "市教育局"), ("participants", "市科协、团市委")].

    A cell may still use role words ("市科协牵头，市教育局配合") or name 各成员单位 / 各县（区）."""
    roles = _Roles()
    for role, text in cells:
        if text.strip():
            _add_clauses(roles, text, role)
    return roles.attribution()


# --- finding attributions in a passage ----------------------------------------------------------


def _brackets(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of top-level （…） groups, end exclusive, nesting respected."""
    spans = []
    depth = 0
    start = 0
    for index, ch in enumerate(text):
        if ch == "（":
            if depth == 0:
                start = index
            depth += 1
        elif ch == "）" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, index + 1))
    return spans


def _at_sentence_end(text: str, end: int) -> bool:
    rest = text[end:].lstrip()
    return not rest or rest[0] in "。；\n" or bool(re.match(r"^[（(]?\d{4}年", rest))


def _accept(roles: _Roles, labelled: bool, at_end: bool, is_known: KnownCheck) -> bool:
    named = roles.leads + roles.participants + roles.responsible
    members = any(_MEMBERS.search(name) for name in roles.collective)
    if labelled:
        return bool(named or roles.marker or roles.collective)
    if roles.verbs:
        return any(is_unit_like(name) or is_known(name) for name in named) or bool(roles.marker) or members
    if not at_end or roles.junk or not (named or roles.marker or members):
        return False
    if roles.collective and not members:
        return False
    return all(is_unit_like(name) or is_known(name) for name in named) and len(named) <= 40


class KnownCheck:
    """Whether a name is in the unit registry (cached; the resolver may be a database lookup)."""

    def __init__(self, resolver: UnitResolver | None) -> None:
        self.resolver = resolver
        self.cache: dict[str, UnitRef] = {}

    def __call__(self, name: str) -> bool:
        return self.ref(name).status == "matched"

    def ref(self, name: str) -> UnitRef:
        if name not in self.cache:
            self.cache[name] = resolve_name(name, self.resolver)
        return self.cache[name]


def _labelled_lines(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of unbracketed "牵头单位：…" passages, each up to the end of its sentence or line."""
    spans: list[tuple[int, int]] = []
    for match in _LABEL_COLON.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        if spans and match.start() < spans[-1][1]:
            continue
        stop = len(text)
        for index in range(match.end(), len(text)):
            if text[index] in "。\n":
                stop = index
                break
        spans.append((match.start(), stop))
    return spans


_ROLE_SENTENCE = re.compile(r"[^。；！？\n（）]+")


def _role_sentences(text: str, taken: list[tuple[int, int]], is_known: KnownCheck) -> list[tuple[int, int]]:
    """Spans of whole sentences made only of role clauses: "由A、B牵头，C、D参加。" "各成员单位按职责分工负责。"

    Every clause must end in a role word and name only units (or 各成员单位 / 各区镇), so a sentence
    such as "市科协牵头沟通联络" is not taken for an attribution."""
    spans: list[tuple[int, int]] = []
    for match in _ROLE_SENTENCE.finditer(text):
        start, end = match.span()
        sentence = match.group(0).strip()
        if not sentence or any(s <= start < e for s, e in taken) or not 2 <= len(sentence) <= 200:
            continue
        clauses = split_top_level(sentence, "，,；;")
        verbs = (_LEAD_VERB, _PART_VERB, _RESP_VERB)
        if not clauses or not all(any(v.search(c) and v.search(c).start() > 0 for v in verbs) for c in clauses):  # type: ignore[union-attr]
            continue
        roles = _Roles()
        _add_clauses(roles, sentence, "responsible")
        named = roles.leads + roles.participants + roles.responsible
        members = any(_MEMBERS.search(name) for name in roles.collective)
        if roles.junk or not (named or roles.marker or members):
            continue
        if all(is_unit_like(name) or is_known(name) for name in named):
            spans.append((start, end))
    return spans


def find_attributions(text: str, is_known: KnownCheck) -> Attribution:
    """Every attribution in ``text`` merged into one (leads first-come, participants after)."""
    result = Attribution()
    taken: list[tuple[int, int]] = []
    for start, end in _brackets(text):
        inner = text[start + 1 : end - 1]
        roles, labelled = parse_attribution_text(inner)
        if _accept(roles, labelled, _at_sentence_end(text, end), is_known):
            found = roles.attribution()
            found.spans.append((start, end))
            result.merge(found)
            taken.append((start, end))
    for start, end in _labelled_lines(text, taken):
        roles, _ = parse_attribution_text(text[start:end])
        if _accept(roles, True, True, is_known):
            found = roles.attribution()
            found.spans.append((start, end))
            result.merge(found)
            taken.append((start, end))
    for start, end in _role_sentences(text, taken, is_known):
        roles, _ = parse_attribution_text(text[start:end])
        found = roles.attribution()
        found.spans.append((start, end))
        result.merge(found)
    return result


def without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given spans cut out."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return text


# --- resolving ----------------------------------------------------------------------------------


def _variants(name: str) -> list[str]:
    """The name as written, then without its bracketed alias, then each bracketed alias."""
    variants = [name]
    bare = re.sub(r"（[^（）]*）", "", name)
    if bare and bare != name:
        variants.append(bare)
    variants += re.findall(r"（([^（）]+)）", name)
    return variants


def resolve_name(name: str, resolver: UnitResolver | None) -> UnitRef:
    """A ``UnitRef`` for ``name``: matched through the resolver if any variant is known."""
    if resolver is not None:
        for variant in _variants(name):
            match = resolver(variant)
            if match is not None:
                return UnitRef(written=name, unit_id=match.unit_id, matched_name=match.name, status="matched")
    return UnitRef(written=name)
