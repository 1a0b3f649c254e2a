"""From clean lines to a tree of numbered headings.

1. *Segmenting*: a line that starts with a heading number starts a block. Numbers inside a line
   start a block too when they continue the document's numbering (after "二、" a "三、", after
   "（二）" a "1.", see ``NumberingState``) and follow the end of a sentence; in running text
   (web extractions with no line breaks) the end-of-sentence condition is dropped, and a top-level
   number after 。 or ） is taken even out of order, as such extractions jumble chapters.
2. *Title*: the last short line naming a plan (规划/纲要/方案/要点/计划…) before the first
   top-level heading; what comes before it (notice, addresses, dates) is dropped.
3. *Tree*: levels follow the conventional order of number styles (see ``numbering``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbering import STRONG_STYLES, Marker, NumberingState, inline_markers, line_marker
from .text import Line

_SENTENCE_END = "。！？；"
_RUN_ON_END = "。！？；）”"
_QUOTES = re.compile(r"“[^”]*”|《[^》]*》")


@dataclass
class Block:
    """A heading with its text, or a paragraph of text; ``line`` is its source line."""

    text: str
    line: int
    marker: Marker | None = None

    @property
    def heading(self) -> str:
        """The text after the number."""
        return self.text[self.marker.end - self.marker.start :].strip() if self.marker else self.text


def _accept_inline(marker: Marker, previous: str, state: NumberingState, run_on: bool) -> bool:
    if run_on:
        return state.fits(marker) or (marker.style in STRONG_STYLES and previous in _RUN_ON_END)
    return state.fits(marker) and previous in _SENTENCE_END


def _split_line(line: Line, state: NumberingState, run_on: bool) -> list[Block]:
    text = line.text
    cuts: list[tuple[int, Marker | None]] = []
    marker = line_marker(text)
    cuts.append((0, marker))
    if marker:
        state.advance(marker)
    quoted = [(m.start(), m.end()) for m in _QUOTES.finditer(text)]
    for candidate in inline_markers(text, marker.end if marker else 0, after_sentence=not run_on):
        if candidate.start - cuts[-1][0] < 2 or any(s < candidate.start < e for s, e in quoted):
            continue
        if _accept_inline(candidate, text[candidate.start - 1], state, run_on):
            cuts.append((candidate.start, candidate))
            state.advance(candidate)
    blocks = []
    for index, (start, found) in enumerate(cuts):
        end = cuts[index + 1][0] if index + 1 < len(cuts) else len(text)
        piece = text[start:end].strip()
        if piece:
            shifted = Marker(found.style, found.value, found.number, 0, len(found.number)) if found else None
            blocks.append(Block(piece, line.line_at(start), shifted))
    return blocks


def segment(lines: list[Line], *, run_on: bool = False) -> list[Block]:
    """Blocks of text, each starting with at most one heading number."""
    state = NumberingState()
    blocks: list[Block] = []
    for line in lines:
        blocks.extend(_split_line(line, state, run_on))
    return blocks


# --- title --------------------------------------------------------------------------------------

_TITLE_WORDS = re.compile(r"规划|纲要|方案|要点|计划|意见|安排|办法|清单|任务分工|行动")
_NOT_TITLE = re.compile(r"^(关于|印发|转发|各|根据|为)|通知$|函$")
_NOTICE_TITLE = re.compile(r"《([^》]{4,60}(?:规划|纲要|方案|要点|计划|意见|安排|办法|清单))》")


def _title_like(text: str) -> str | None:
    text = re.sub(r"^附件[0-9一二三四五六七八九十]*[：:]?", "", text).strip()
    if not text or len(text) > 60 or "。" in text or _NOT_TITLE.search(text):
        return None
    return text if _TITLE_WORDS.search(text) else None


def find_title(blocks: list[Block]) -> tuple[str, int]:
    """The document's title and the index of the first block of its body."""
    ranks = [block.marker.rank for block in blocks if block.marker]
    top = min(ranks) if ranks else None
    first_top = next((i for i, b in enumerate(blocks) if b.marker and b.marker.rank == top), len(blocks))
    for index in range(first_top - 1, -1, -1):
        if not blocks[index].marker and (title := _title_like(blocks[index].text)):
            return _with_subtitle(title, blocks, index)
    for block in blocks[:first_top]:
        if match := _NOTICE_TITLE.search(block.text):
            return match.group(1), first_top
    for index, block in enumerate(blocks[:40]):
        if not block.marker and (title := _title_like(block.text)):
            return _with_subtitle(title, blocks, index)
    return "", 0


_SUBTITLE = re.compile(r"^（[^（）]{4,24}）$")


def _with_subtitle(title: str, blocks: list[Block], index: int) -> tuple[str, int]:
    """A title with the "（2023—2025年）" or "（征求意见稿）" line that Word/PDF put under it."""
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    if following and not following.marker and _SUBTITLE.match(following.text):
        return title + following.text, index + 2
    return title, index + 1


# --- tree ---------------------------------------------------------------------------------------


@dataclass
class Node:
    """A numbered heading with its own text and the headings under it."""

    marker: Marker | None
    heading: str
    line: int
    level: int
    body: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None

    @property
    def number(self) -> str:
        return self.marker.number if self.marker else ""

    @property
    def own_text(self) -> str:
        return "\n".join([self.heading, *self.body]).strip()

    @property
    def full_text(self) -> str:
        """Own text and every descendant's, numbers included."""
        parts = [self.own_text]
        parts += [child.number + child.full_text for child in self.children]
        return "\n".join(part for part in parts if part)

    def descendants(self, depth: int = 1) -> list[tuple[int, Node]]:
        found = []
        for child in self.children:
            found.append((depth, child))
            found += child.descendants(depth + 1)
        return found


def build_tree(blocks: list[Block]) -> Node:
    """The heading tree of the body; text before the first heading is the root's body."""
    ranks = sorted({block.marker.rank for block in blocks if block.marker})
    level_of = {rank: index + 1 for index, rank in enumerate(ranks)}
    root = Node(None, "", blocks[0].line if blocks else 0, 0)
    stack = [root]
    for block in blocks:
        if block.marker is None:
            stack[-1].body.append(block.text)
            continue
        level = level_of[block.marker.rank]
        while stack[-1].level >= level:
            stack.pop()
        node = Node(block.marker, block.heading, block.line, level, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root
