"""The public API: parse_text / parse_file / read_document and the JSON shape of to_dict()."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from kepu.plans import docimport
from kepu.plans.docimport import DocumentImportError, parse_file, parse_text

from .conftest import SEED_FILES, SEEDS


def test_the_package_imports_no_django() -> None:
    imported = set()
    for path in Path(docimport.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "bisect", "calendar", "codecs", "collections", "dataclasses", "datetime",
                        "decimal", "io", "os", "pathlib", "re", "typing", "unicodedata", "docx"}  # fmt: skip


def test_to_dict_is_json_with_units_as_written_and_as_matched(seed_text: Any, kunshan_resolver: Any) -> None:
    data = json.loads(json.dumps(parse_text(seed_text("002"), resolve_unit=kunshan_resolver).to_dict()))
    assert set(data) == {"title", "kind", "years", "goals", "sections", "unknown_units", "warnings", "preamble"}
    assert data["years"] == [2021, 2025]
    assert data["goals"][0] | {"sentence": ""} == {
        "name": "公民具备科学素质的比例",
        "value": 23,
        "unit": "%",
        "year": 2025,
        "direction": "≥",
        "baseline": 16.7,
        "annual": False,
        "years": [],
        "value_text": "23%",
        "sentence": "",
    }
    section = data["sections"][3]
    assert (section["number"], section["title"], section["path"], section["level"]) == (
        "（四）", "实施老年人科学素质提升行动", ["三、五项重点提升行动"], 2,
    )  # fmt: skip
    task = section["tasks"][2]
    assert (task["number"], task["seq"], task["title"], task["all_subareas"]) == ("3.", 3, "实施银龄科普行动", True)
    assert task["lead_units"] == [
        {"written": "市委宣传部（市文明办）", "unit_id": "ks-xcb", "matched_name": "中共昆山市委宣传部", "status": "matched"}
    ]
    assert task["participating_units"][0]["written"] == "市民政局"
    assert task["deadline"] is None and isinstance(task["source_line"], int)


def test_parse_file_accepts_a_path_or_bytes_with_a_name() -> None:
    path = SEEDS / SEED_FILES["004"]
    from_path = parse_file(path)
    from_bytes = parse_file(path.read_bytes(), "要点.txt")
    assert from_path.to_dict() == from_bytes.to_dict()
    assert len(from_path.tasks) == 14


def test_parse_file_reports_a_missing_file_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="无法读取文件"):
        parse_file(tmp_path / "没有.txt")


def test_text_without_numbering_gives_a_warning_not_an_error() -> None:
    plan = parse_text("关于做好科普工作的说明\n各单位要高度重视，认真抓好落实。")
    assert plan.sections == []
    assert any("未识别到带编号的任务结构" in w for w in plan.warnings)


def test_tasks_numbered_at_the_top_level_go_into_one_section() -> None:
    text = "\n".join(
        [
            "北湖区2024年科普工作任务清单",
            "1.举办科技活动周。（责任单位：区科协、区科技局）",
            "2.开展科普进社区活动100场。（责任单位：区科协，各街道）",
            "3.建设科普e站5个。（区科协牵头，区住建局配合）",
        ]
    )
    plan = parse_text(text)
    (section,) = plan.sections
    assert section.title == "北湖区2024年科普工作任务清单"
    assert [(t.number, t.title, [u.written for u in t.lead_units]) for t in section.tasks] == [
        ("1.", "举办科技活动周", ["区科协"]),
        ("2.", "开展科普进社区活动100场", ["区科协"]),
        ("3.", "建设科普e站5个", ["区科协"]),
    ]
    assert section.tasks[1].all_subareas


def test_units_named_only_by_a_chapter_are_inherited_by_its_sections() -> None:
    text = "\n".join(
        [
            "滨海市全民科学素质行动实施方案（2021—2025年）",
            "一、五大提升行动（牵头单位：市科协）",
            "（一）青少年科学素质提升行动",
            "1.推进科学教育。",
            "2.开展科技竞赛。",
            "（二）农民科学素质提升行动",
            "1.开展农技培训。",
        ]
    )
    plan = parse_text(text)
    assert [[u.written for u in s.lead_units] for s in plan.sections] == [["市科协"], ["市科协"]]
    assert [s.title for s in plan.sections] == ["青少年科学素质提升行动", "农民科学素质提升行动"]
