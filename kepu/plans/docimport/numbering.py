"""Heading numbers as Chinese documents write them, and Chinese numerals.

A heading number has a *style* (its family of forms) and a value. Forms that authors mix within one
level share a style: 1. 1、 1． ⒈ are "arabic"; （1） (1) ⑴ 1） are "arabic_paren"; 一、 一． are "cn";
（一） (一) are "cn_paren". Levels follow the conventional order of GB/T 9704 and Chinese practice
(第一部分 > 第一章 > 第一节 > 第一条 > 一、 > （一） > 1. > （1） > ①), compressed to the styles a
document actually uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"


def cn_to_int(text: str) -> int:
    """Value of a Chinese numeral: 十五 → 15, 九十九 → 99, 两千五百 → 2500, 一万 → 10000, 二〇二五 → 2025."""
    if not text or any(ch not in CN_DIGITS and ch not in CN_SMALL_UNITS and ch not in CN_BIG_UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if len(text) > 1 and all(ch in CN_DIGITS for ch in text):
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    for char, unit in (("亿", CN_BIG_UNITS["亿"]), ("万", CN_BIG_UNITS["万"])):
        if char in text:
            head, _, tail = text.partition(char)
            return (cn_to_int(head) if head else 1) * unit + (cn_to_int(tail) if tail else 0)
    section = digit = 0
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        else:
            section += (digit or 1) * CN_SMALL_UNITS[ch]
            digit = 0
    return section + digit


def int_to_cn(value: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (1–99)."""
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _value(text: str) -> int:
    return int(text) if text.isdigit() else cn_to_int(text)


STYLE_RANK = {
    "part": 0,
    "chapter": 1,
    "jie": 2,
    "article": 3,
    "cn": 4,
    "cn_paren": 5,
    "arabic": 6,
    "arabic_paren": 7,
    "circled": 8,
}
STRONG_STYLES = {"part", "chapter", "jie", "cn"}

_CN = "[一二三四五六七八九十]{1,3}"
_CN_LONG = "[一二三四五六七八九十百零〇两]{1,4}"
_CIRCLED = "\u2460-\u2473\u3251-\u325f\u32b1-\u32bf"
_PAREN_DIGIT = "\u2474-\u2487"
_DOT_DIGIT = "\u2488-\u249b"

# Each alternative is named by style; the value sits in the group "v_<style>".
_MARKER_BODY = (
    rf"(?P<part>第(?P<v_part>{_CN_LONG}|\d{{1,3}})(?:部分|篇))"
    rf"|(?P<chapter>第(?P<v_chapter>{_CN_LONG}|\d{{1,3}})章)"
    rf"|(?P<jie>第(?P<v_jie>{_CN_LONG}|\d{{1,3}})节)"
    rf"|(?P<article>第(?P<v_article>{_CN_LONG}|\d{{1,3}})条)"
    rf"|(?P<cn>(?P<v_cn>{_CN})[、.](?!{_CN}[、.]))"
    rf"|(?P<cn_paren>（(?P<v_cn_paren>{_CN})）)"
    rf"|(?P<arabic>(?P<v_arabic>\d{{1,2}})[、.](?![\d%])|[{_DOT_DIGIT}])"
    rf"|(?P<arabic_paren>（(?P<v_arabic_paren>\d{{1,2}})）|(?P<v_arabic_rparen>\d{{1,2}})）|[{_PAREN_DIGIT}])"
    rf"|(?P<circled>[{_CIRCLED}])"
)
LINE_MARKER = re.compile(rf"^(?:{_MARKER_BODY})")
INLINE_MARKER = re.compile(rf"(?<![第\d{CN_NUMERAL_CHARS}、.A-Za-z/])(?:{_MARKER_BODY})")
AFTER_SENTENCE_MARKER = re.compile(rf"(?<=[。！？；])(?:{_MARKER_BODY})")


@dataclass(frozen=True)
class Marker:
    """A heading number found in text: ``number`` is as written ("1." "（一）" "第二章")."""

    style: str
    value: int
    number: str
    start: int
    end: int

    @property
    def rank(self) -> int:
        return STYLE_RANK[self.style]


def _special_value(char: str) -> int:
    code = ord(char)
    for low, high, base in (
        (0x2460, 0x2473, 1),
        (0x3251, 0x325F, 21),
        (0x32B1, 0x32BF, 36),
        (0x2474, 0x2487, 1),
        (0x2488, 0x249B, 1),
    ):
        if low <= code <= high:
            return code - low + base
    raise ValueError(char)


def _marker_from(match: re.Match[str]) -> Marker | None:
    style = match.lastgroup
    if style is None:
        return None
    groups = match.groupdict()
    raw = groups.get(f"v_{style}") or (groups.get("v_arabic_rparen") if style == "arabic_paren" else None)
    value = _value(raw) if raw else _special_value(match.group(style)[0])
    if not 1 <= value <= 999:
        return None
    return Marker(style, value, match.group(0), match.start(), match.end())


_ARTICLE_TAIL = re.compile(r"^[^\s，。；]{0,3}(规定|所述|所列|之)")


def line_marker(text: str) -> Marker | None:
    """The heading number at the start of ``text``, if any."""
    match = LINE_MARKER.match(text)
    if not match:
        return None
    marker = _marker_from(match)
    if marker and marker.style == "article" and _ARTICLE_TAIL.match(text[marker.end :]):
        return None  # "第三条规定…" refers to an article, it does not start one
    return marker


def inline_markers(text: str, start: int = 0, *, after_sentence: bool = False) -> list[Marker]:
    """Every candidate heading number inside ``text`` from ``start`` (callers decide which are real);
    with ``after_sentence`` only those right after 。！？；."""
    found = []
    pattern = AFTER_SENTENCE_MARKER if after_sentence else INLINE_MARKER
    for match in pattern.finditer(text, start):
        marker = _marker_from(match)
        if marker:
            found.append(marker)
    return found


@dataclass
class NumberingState:
    """What the numbering so far makes plausible next, per style.

    A number fits when it continues its style (n after n−1), or starts it again at 1 after a
    heading of a higher level has intervened, or is the first of its style and equals 1.
    """

    last: dict[str, int] = field(default_factory=dict)
    may_restart: dict[str, bool] = field(default_factory=dict)

    def fits(self, marker: Marker) -> bool:
        last = self.last.get(marker.style)
        if last is None:
            return marker.value == 1
        if marker.value == last + 1:
            return True
        return marker.value == 1 and self.may_restart.get(marker.style, False)

    def advance(self, marker: Marker) -> None:
        self.last[marker.style] = marker.value
        self.may_restart[marker.style] = False
        for style, rank in STYLE_RANK.items():
            if rank > marker.rank:
                self.may_restart[style] = True
