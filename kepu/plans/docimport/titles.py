"""A heading's title: "1.加强校内青少年科学教育。将落实…" → "加强校内青少年科学教育".

The title is the heading's first sentence (up to 。！？；：) when it is short; a heading line with
no sentence end is all title. In running text where the source lost the punctuation between
title and body ("拓展国际科技人文交流渠道围绕提升科学素质…"), the title ends where a word that
usually ends a title (渠道, 机制, 工程 …) meets a word that usually starts a sentence (围绕, 推进 …);
of such places in the first clause, the last one is taken.
"""

from __future__ import annotations

import re

TITLE_MAX = 60
_FIRST_STOP = re.compile(r"[。！？；：]")
_CLAUSE_STOP = re.compile(r"[，。！？；：]")
_HEAD_NOUNS = re.compile(
    r"(工程|行动|建设|机制|体系|计划|内容|渠道|治理|交流|政策|研究|投入|责任|思想|原则|目标|保障|能力|平台|服务"
    r"|工作|活动|指导|布局|水平|队伍|环境|氛围|素质|基地|资源|理念|格局|制度|合作|人才|教育|培训|宣传|实施|体制"
    r"|改革|创新|发展|示范|标准)$"
)
_BODY_STARTS = re.compile(
    r"^(围绕|坚持|推进|支持|鼓励|推动|建立|加强|深入|利用|构建|大力|搭建|制定|完善|依托|提升|深化|开展|实施|强化"
    r"|发挥|引导|组织|充分|积极|着力|聚焦|按照|根据|结合|面向|针对|通过|落实|健全|加快|加大|统筹|探索|做好|实现"
    r"|提高|扩大|培育|打造|优化|践行|弘扬|破除|拓展|以|各|在|对|将|把|由|到\d|\d)"
)
_GLUE_WINDOW = 24
_MIN_BODY = 5  # "基层科普能力提升工程" is one title, not "基层科普能力" + "提升工程"


def glued_title_end(text: str) -> int | None:
    """Where a title glued to its body ends, or None when no place is convincing."""
    stop = _CLAUSE_STOP.search(text)
    clause_end = stop.start() if stop else len(text)
    best = None
    for end in range(2, min(_GLUE_WINDOW, clause_end - _MIN_BODY) + 1):
        if _HEAD_NOUNS.search(text[:end]) and _BODY_STARTS.match(text[end:]):
            best = end
    return best


def split_title(heading: str, *, run_on: bool = False) -> tuple[str, str]:
    """(title, rest of the heading)."""
    heading = heading.strip().lstrip("：: ")
    stop = _FIRST_STOP.search(heading)
    if run_on and not (stop and stop.start() <= _GLUE_WINDOW):
        end = glued_title_end(heading)
        if end is not None:
            return heading[:end], heading[end:].strip()
    if stop and stop.start() <= TITLE_MAX:
        return heading[: stop.start()].strip(), heading[stop.end() :].strip()
    if not stop and len(heading) <= TITLE_MAX:
        return heading, ""
    clause = _CLAUSE_STOP.search(heading)
    short = heading[: clause.start()] if clause and clause.start() <= 40 else heading[:40] + "…"
    return short, heading
