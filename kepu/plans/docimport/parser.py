"""Assembling the proposed plan: which headings are sections, which are tasks, what each carries.

The rule, per top-level chapter of the body:

* A chapter whose title is made only of framing words — 前言, 指导思想, 基本原则, 主要目标,
  组织实施, 保障措施 … — and in which no item names responsible units is *not* a task chapter.
  Its numbered items (基本原则 1. 2. …) are not tasks; its targets are the plan's goals (or, for
  background chapters such as 前言/现状, baselines of those goals).
* In a task chapter, tasks are the items at the depth where the document names responsible units
  (the most common depth among items that name units and have no numbered items below them).
  Without any units, tasks are the chapter's items, or its items' items when most of its items
  have numbered items of their own (三、五项重点提升行动 → （一）… → 1.).
* The heading just above the tasks is their section; headings above that make the section's path.
  A section with no numbered items but with text of its own becomes a section with one task.
  When every task chapter is a single item (the document numbers tasks at its top level), the
  tasks go into one section named after the plan.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .dates import find_deadline, plan_kind, plan_years
from .numbering import LINE_MARKER, inline_markers, int_to_cn, line_marker
from .outline import Node, build_tree, find_title, segment
from .schema import Indicator, ParsedPlan, ParsedSection, ParsedTask, UnitRef, UnitResolver
from .tables import CELL_BREAK, Row, Table, find_tables
from .targets import find_indicators
from .text import Line, clean_lines, normalize_line, reflow_hard_wraps, source_lines, strip_page_markers
from .titles import split_title
from .units import Attribution, KnownCheck, cell_attribution, find_attributions, without_spans

_FRAMING = set(
    ["总则", "总体要求", "总体思路", "总体目标", "指导思想", "指导原则", "基本原则", "原则", "主要目标", "发展目标", "工作目标", "目标", "目标任务", "远景目标", "主要指标", "组织实施", "保障措施", "组织保障", "条件保障", "机制保障", "政策保障", "经费保障", "组织领导", "工作要求", "实施步骤", "进度安排", "时间安排", "工作步骤", "实施保障", "附则", "工作原则", "基本思路", "编制依据"]
)
_BACKGROUND = set(
    ["前言", "引言", "序言", "背景", "形势", "现状", "基础", "发展现状", "面临形势", "现状与形势", "发展基础", "工作基础", "取得成效", "主要成效", "发展成就", "形势分析", "基本情况", "现实基础"]
)


_FRAMING_ENDS = re.compile(r"^[\u4e00-\u9fff]{0,4}(目标|原则|思想|要求|保障|措施|思路)$")


def chapter_kind(title: str) -> str:
    """"background", "framing" (goals, principles, organisation) or "task", from a heading title."""
    core = re.sub(r"[\s。．.，：；]+$", "", title)
    parts = [part for part in re.split(r"以及|[、，和及与暨]", core) if part]
    if parts and all(part in _BACKGROUND for part in parts):
        return "background"
    if parts and all(part in _FRAMING or part in _BACKGROUND or _FRAMING_ENDS.match(part) for part in parts):
        return "framing"
    return "task"


@dataclass
class _Context:
    known: KnownCheck
    run_on: bool
    years: tuple[int, int] | None
    default_year: int | None
    warnings: list[str] = field(default_factory=list)
    baselines: list[Indicator] = field(default_factory=list)
    attributions: dict[str, Attribution] = field(default_factory=dict)


def _attribution(text: str, ctx: _Context) -> Attribution:
    """The units ``text`` names (cached: the same passages are asked about several times)."""
    if text not in ctx.attributions:
        ctx.attributions[text] = find_attributions(text, ctx.known)
    return ctx.attributions[text]


def _refs(names: list[str], ctx: _Context) -> list[UnitRef]:
    return [dataclasses.replace(ctx.known.ref(name)) for name in names]


def _indicators(text: str, ctx: _Context) -> list[Indicator]:
    return find_indicators(text, default_year=ctx.default_year, plan_years=ctx.years)


def _title(node: Node, ctx: _Context) -> str:
    heading = without_spans(node.heading, _attribution(node.heading, ctx).spans)
    return split_title(heading, run_on=ctx.run_on)[0]


def _label(node: Node, ctx: _Context) -> str:
    space = " " if node.number[-1:] not in "、.）" else ""
    return f"{node.number}{space}{_title(node, ctx)}"


def _has_units(node: Node, ctx: _Context) -> bool:
    found = _attribution(node.own_text, ctx)
    return bool(found.leads or found.participants or found.all_members)


def _subtree_has_units(node: Node, ctx: _Context) -> bool:
    return _has_units(node, ctx) or any(_has_units(child, ctx) for _, child in node.descendants())


def _vote(depth: int, node: Node, chapter: Node, ctx: _Context) -> int:
    """The depth an attribution speaks for: its item's, or its parent's when it closes the last
    sub-item of an item whose other sub-items name no units ("（1）…（2）…（牵头单位：…）")."""
    parent = node.parent
    if parent is None or parent is chapter or node is not parent.children[-1]:
        return depth
    others = [child for child in parent.children[:-1] if _has_units(child, ctx)]
    return depth if others or _has_units(parent, ctx) else depth - 1


def task_depth(chapter: Node, ctx: _Context) -> int:
    """How deep below the chapter its tasks sit (1: the chapter itself, 2: its items, …)."""
    votes = Counter(
        _vote(depth + 1, node, chapter, ctx)
        for depth, node in chapter.descendants()
        if not node.children and _has_units(node, ctx)
    )
    if votes:
        best = max(votes.values())
        return max(depth for depth, count in votes.items() if count == best)
    if not chapter.children:
        return 1
    with_items = sum(1 for child in chapter.children if child.children)
    return 3 if with_items * 2 >= len(chapter.children) else 2


def _make_task(node: Node, seq: int, ctx: _Context) -> ParsedTask:
    full = node.full_text
    title = _title(node, ctx)
    body = full[len(title) :].lstrip("。！？；：，").strip() if full.startswith(title) else full
    found = _attribution(full, ctx)
    return ParsedTask(
        number=node.number,
        seq=seq,
        title=title,
        body=body,
        lead_units=_refs(found.leads, ctx),
        participating_units=_refs(found.participants, ctx),
        all_subareas=found.subarea_marker is not None,
        subarea_marker=found.subarea_marker,
        all_members=found.all_members,
        collective_units=found.collective,
        indicators=_indicators(without_spans(full, found.spans), ctx),
        deadline=find_deadline(full, ctx.default_year),
        source_line=node.line,
    )


def _ancestors(node: Node, chapter: Node) -> list[Node]:
    """The headings from ``node``'s parent up to ``chapter``, nearest first."""
    found: list[Node] = []
    current = node.parent if node is not chapter else None
    while current is not None and current.marker is not None:
        found.append(current)
        if current is chapter:
            break
        current = current.parent
    return found


def _path(node: Node, chapter: Node, ctx: _Context) -> list[str]:
    return [_label(ancestor, ctx) for ancestor in reversed(_ancestors(node, chapter))]


def _make_section(node: Node, chapter: Node, tasks: list[Node], ctx: _Context) -> ParsedSection:
    own = _attribution(node.own_text, ctx) if tasks else Attribution()
    for ancestor in [] if own.leads else _ancestors(node, chapter):
        inherited = _attribution(ancestor.own_text, ctx)
        if inherited.leads:
            own = inherited
            break
    section = ParsedSection(
        number=node.number,
        title=_title(node, ctx),
        level=node.level,
        lead_units=_refs(own.leads, ctx),
        participating_units=_refs(own.participants, ctx),
        all_subareas=own.subarea_marker is not None,
        subarea_marker=own.subarea_marker,
        all_members=own.all_members,
        path=_path(node, chapter, ctx),
        source_line=node.line,
    )
    if tasks:
        section.indicators = _indicators(without_spans(node.own_text, own.spans), ctx)
        section.tasks = [_make_task(task, seq, ctx) for seq, task in enumerate(tasks, start=1)]
    elif len(node.full_text) > len(section.title) + 8 or _has_units(node, ctx):
        section.tasks = [_make_task(node, 1, ctx)]
    return section


def _chapter_sections(chapter: Node, ctx: _Context, plan: ParsedPlan) -> list[ParsedSection]:
    depth = task_depth(chapter, ctx)
    if depth <= 2:
        return [_make_section(chapter, chapter, chapter.children, ctx)]
    plan.goals += _indicators(chapter.own_text, ctx)
    # section headings: the level above the tasks, and any item above it with nothing below
    heads = [
        node
        for d, node in chapter.descendants()
        if d + 1 == depth - 1 or (d + 1 < depth - 1 and not node.children)
    ]
    sections = []
    for head in heads:
        if chapter_kind(_title(head, ctx)) != "task" and not _subtree_has_units(head, ctx):
            _add_framing(head, chapter_kind(_title(head, ctx)), ctx, plan)
            continue
        sections.append(_make_section(head, chapter, head.children, ctx))
    return sections


def _add_framing(node: Node, kind: str, ctx: _Context, plan: ParsedPlan) -> None:
    found = _indicators(node.full_text, ctx)
    if kind == "background":
        ctx.baselines += found
    else:
        plan.goals += found


def _collect(root: Node, ctx: _Context, plan: ParsedPlan) -> None:
    chapters = root.children
    kinds = {id(ch): "task" if _subtree_has_units(ch, ctx) else chapter_kind(_title(ch, ctx)) for ch in chapters}
    task_chapters = [ch for ch in chapters if kinds[id(ch)] == "task"]
    flat = len(task_chapters) >= 2 and all(not ch.children for ch in task_chapters)
    if flat:
        section = ParsedSection(number="", title=plan.title or "重点任务", level=1, source_line=task_chapters[0].line)
        section.tasks = [_make_task(ch, seq, ctx) for seq, ch in enumerate(task_chapters, start=1)]
        plan.sections.append(section)
    for chapter in chapters:
        if kinds[id(chapter)] != "task":
            _add_framing(chapter, kinds[id(chapter)], ctx, plan)
        elif not flat:
            plan.sections += _chapter_sections(chapter, ctx, plan)


def _apply_baselines(plan: ParsedPlan, baselines: list[Indicator]) -> None:
    known: dict[tuple[str, str], Decimal] = {}
    for indicator in baselines:
        known[(indicator.name, indicator.unit)] = indicator.value
    everything = plan.goals + [i for s in plan.sections for i in s.indicators]
    everything += [i for t in plan.tasks for i in t.indicators]
    for indicator in everything:
        if indicator.baseline is None:
            indicator.baseline = known.get((indicator.name, indicator.unit))


def _unit_warnings(plan: ParsedPlan) -> None:
    refs = [ref for s in plan.sections for ref in s.lead_units + s.participating_units]
    refs += [ref for t in plan.tasks for ref in t.lead_units + t.participating_units]
    plan.unknown_units = list(dict.fromkeys(ref.written for ref in refs if ref.status == "unknown"))
    if plan.unknown_units:
        plan.warnings.append(
            f"单位名录中未找到 {len(plan.unknown_units)} 个单位：{'、'.join(plan.unknown_units)}；请在导入时映射到已有单位或新建。"
        )
    tasks = plan.tasks
    with_units = [t for t in tasks if t.lead_units]
    if tasks and len(with_units) * 2 >= len(tasks) and len(with_units) < len(tasks):
        for section in plan.sections:
            for task in section.tasks:
                if not task.lead_units and not section.lead_units and not (task.all_members or section.all_members):
                    plan.warnings.append(f"任务“{section.number}{task.number}{task.title}”未写明责任单位。")


def _looks_run_on(lines: list[Line]) -> bool:
    """Running text: a very long line holding several heading numbers, few lines starting with one."""
    if not lines:
        return False
    longest = max(lines, key=lambda line: len(line.text))
    starts = sum(1 for line in lines if line_marker(line.text))
    return len(longest.text) >= 400 and starts <= 2 and len(inline_markers(longest.text)) >= 3


def parse_text(text: str, *, resolve_unit: UnitResolver | None = None) -> ParsedPlan:
    """Propose a plan's sections, tasks, units and targets from its text.

    ``resolve_unit`` maps a unit name as written (after width normalisation) to the registry's
    unit, or None; names it does not know are reported as "unknown".
    """
    raw = source_lines(text)
    tables = find_tables(raw)
    taken = {number for table in tables for number in table.lines}
    lines = clean_lines(["" if number in taken else line for number, line in enumerate(raw, start=1)])
    lines, paged = strip_page_markers(lines)
    lines, reflowed = reflow_hard_wraps(lines, LINE_MARKER)
    run_on = paged or _looks_run_on(lines)
    blocks = segment(lines, run_on=run_on)
    title, body_start = find_title(blocks)
    root = build_tree(blocks[body_start:])
    table_text = "\n".join(normalize_line(raw[number - 1].replace(CELL_BREAK, "")) for number in sorted(taken))
    years = plan_years(title, "\n".join([*(block.text for block in blocks[body_start:]), table_text]))
    kind, sure = plan_kind(title, years)
    annual_year = years[0] if years and years[0] == years[1] else None
    ctx = _Context(KnownCheck(resolve_unit), run_on, years, annual_year)
    plan = ParsedPlan(title=title, kind=kind, years=years, preamble="\n".join(root.body))
    plan.goals += _indicators(plan.preamble, ctx)
    _collect(root, ctx, plan)
    if tables:
        state = _TableState()
        for table in tables:
            plan.sections += _table_sections(table, state, ctx, plan.title)
        plan.sections.sort(key=lambda section: section.source_line)
    _apply_baselines(plan, ctx.baselines)
    _notes(plan, paged=paged, reflowed=reflowed, run_on=run_on, sure=sure)
    _unit_warnings(plan)
    return plan


# --- tables ------------------------------------------------------------------------------------


@dataclass
class _TableState:
    """Carries the open section and the last task from one table to the next (a table over pages)."""

    section: ParsedSection | None = None
    category: str = ""
    sections: int = 0
    task_rows: dict[int, Row] = field(default_factory=dict)


def _cell(row: Row, key: str, *, units: bool = False) -> str:
    return normalize_line(row.cells.get(key, "").replace(CELL_BREAK, "、" if units else ""))


_CELL_ROLES = (("lead", "leads"), ("part", "participants"), ("resp", "responsible"))


def _row_attribution(row: Row, text: str, ctx: _Context) -> Attribution:
    found = cell_attribution([(role, _cell(row, key, units=True)) for key, role in _CELL_ROLES])
    in_text = _attribution(text, ctx)
    found.merge(in_text)
    found.spans = list(in_text.spans)
    return found


def _section_from_row(text: str, row: Row, ctx: _Context, number_hint: str = "") -> ParsedSection:
    text = normalize_line(text.replace(CELL_BREAK, ""))
    marker = line_marker(text)
    number = marker.number if marker else number_hint
    heading = text[marker.end :].strip() if marker else text
    found = _row_attribution(row, heading, ctx)
    title = split_title(without_spans(heading, found.spans))[0]
    return ParsedSection(
        number=number, title=title, level=1,
        lead_units=_refs(found.leads, ctx), participating_units=_refs(found.participants, ctx),
        all_subareas=found.subarea_marker is not None, subarea_marker=found.subarea_marker,
        all_members=found.all_members, source_line=row.line,
    )


def _task_from_row(row: Row, seq: int, ctx: _Context) -> ParsedTask:
    title = _cell(row, "title")
    number = _cell(row, "number")
    marker = line_marker(title)
    if marker:  # "1.举办青少年科技节" in the task column
        number = number or marker.number
        title = title[marker.end :].strip()
    if re.fullmatch(r"\d{1,3}", number):
        number += "."
    body = "。".join(part for part in (_cell(row, "content"), _cell(row, "target")) if part)
    if not body:
        title, body = split_title(title)
    found = _row_attribution(row, f"{title}。{body}", ctx)
    title = split_title(without_spans(title, _attribution(title, ctx).spans))[0].rstrip("。；")
    text = without_spans(f"{title}。{body}", found.spans)
    limit = _cell(row, "deadline")
    deadline = (find_deadline(f"完成时限：{limit}", ctx.default_year) or find_deadline(limit, ctx.default_year)
                if limit else None) or find_deadline(body, ctx.default_year)
    return ParsedTask(
        number=number, seq=seq, title=title, body=without_spans(body, _attribution(body, ctx).spans).strip(),
        lead_units=_refs(found.leads, ctx), participating_units=_refs(found.participants, ctx),
        all_subareas=found.subarea_marker is not None, subarea_marker=found.subarea_marker,
        all_members=found.all_members, collective_units=found.collective,
        indicators=_indicators(text, ctx), deadline=deadline, source_line=row.line,
    )


def _continues(row: Row, numbered: bool) -> bool:
    """A row without a number (in a numbered table), or with neither a number nor a task: the cells
    of the row above, broken over two lines or pages."""
    if row.cells.get("number") or not any(row.cells.values()):
        return False
    return numbered or not row.cells.get("title")


def _table_sections(table: Table, state: _TableState, ctx: _Context, plan_title: str) -> list[ParsedSection]:
    """Sections and tasks of one task-division table (see ``tables``)."""
    sections: list[ParsedSection] = []
    rows: list[tuple[ParsedSection, Row]] = []
    for row in table.rows:
        if row.section is not None:
            state.sections += 1
            state.section = _section_from_row(row.section, row, ctx, f"{int_to_cn(state.sections)}、")
            sections.append(state.section)
            continue
        category = _cell(row, "category")
        if category and category != state.category:
            state.category = category
            state.sections += 1
            state.section = _section_from_row(category, Row(row.line, {}), ctx, f"{int_to_cn(state.sections)}、")
            sections.append(state.section)
        if _continues(row, "number" in table.columns) and rows and rows[-1][0] is state.section:
            last = rows[-1][1]
            for key, value in row.cells.items():
                if value:
                    joiner = CELL_BREAK if key in ("lead", "part", "resp") else ""
                    last.cells[key] = f"{last.cells.get(key, '')}{joiner}{value}" if last.cells.get(key) else value
            continue
        if state.section is None:
            state.section = ParsedSection(number="", title=plan_title or "重点任务", level=1, source_line=row.line)
            sections.append(state.section)
        rows.append((state.section, Row(row.line, dict(row.cells))))
    for section, row in rows:
        section.tasks.append(_task_from_row(row, len(section.tasks) + 1, ctx))
    return sections


def _notes(plan: ParsedPlan, *, paged: bool, reflowed: bool, run_on: bool, sure: bool) -> None:
    if paged:
        plan.warnings.append("文中每页开头的“1、2、3…”是网页分页编号，已去除并按连续文本识别。")
    if run_on:
        plan.warnings.append("文本缺少换行（连续排版），标题与正文可能粘连，请逐条核对任务标题。")
    if reflowed:
        plan.warnings.append("已把被硬换行拆断的段落重新接起。")
    if not plan.title:
        plan.warnings.append("未识别到文件标题，请手工填写。")
    if not sure:
        plan.warnings.append("未能从标题判断文件类型（规划纲要/实施方案/年度要点），暂按实施方案处理。")
    if not plan.sections:
        plan.warnings.append("未识别到带编号的任务结构（如“一、”“（一）”“1.”），请检查文本。")
