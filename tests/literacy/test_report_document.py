"""The Word monitoring report is a document an office can send: real heading styles (Word's navigation
pane), a table of contents, the issuing organisation's 落款 and no software named; and trend lines
break where the scoring method changed, on the page and in Word."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from kepu.literacy import charts
from kepu.literacy.models import Estimate, SurveyWave

pytestmark = pytest.mark.django_db


def _report(as_user: Any) -> Any:
    wave = SurveyWave.objects.get(name="2024年昆山市公民科学素质调查")
    response = as_user("office").get(f"/office/literacy/results/{wave.pk}/report.docx")
    assert response.status_code == 200
    return Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def test_the_report_uses_heading_styles_and_a_table_of_contents(as_user: Any) -> None:
    document = _report(as_user)
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "一、总体情况") in headings and any(s == "Heading 2" for s, _ in headings)
    assert headings[-1] == ("Heading 1", next(t for s, t in headings if t.endswith("方法说明")))
    codes = [e.text for e in document.element.body.iter(qn("w:instrText"))]
    assert any(code.startswith("TOC ") for code in codes)
    assert document.settings.element.find(qn("w:updateFields")) is not None
    assert document.paragraphs[0].style.name == "Title"


def test_the_report_names_the_issuer_and_no_software(as_user: Any) -> None:
    document = _report(as_user)
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[-2] == "昆山市全民科学素质工作领导小组办公室" and texts[-1].endswith("日")
    body = "\n".join(texts)
    for word in ("kepu", "R survey", "软件", "系统", "平台"):
        assert word not in body, word


def _point(year: int, rule: str) -> charts.TrendPoint:
    estimate = Estimate(estimate=0.2, ci_low=0.18, ci_high=0.22, n=1000)
    return charts.TrendPoint(year=year, wave=f"{year}年", estimate=estimate, published=True, rule=rule)


def test_the_trend_line_breaks_where_the_scoring_method_changed() -> None:
    points = [_point(2020, "2016 基准"), _point(2022, "2016 基准"), _point(2024, "国家标准")]
    option = charts.trend(points, [], [(2024, "口径变化")])
    lines = [s for s in option["series"] if s["type"] == "line"]
    assert [[d["value"][0] for d in s["data"]] for s in lines] == [[2020, 2022], [2024]]
    assert {s["name"] for s in lines} == {"具备科学素质的比例"}
    assert "markLine" in lines[0]
    assert charts.trend_png(points, [], [(2024, "口径变化")]).startswith(b"\x89PNG")


def test_the_demo_trend_page_draws_one_line_per_method(as_user: Any) -> None:
    chart = as_user("office").get("/office/literacy/trend/").context["chart"]
    lines = [s for s in chart["series"] if s["type"] == "line"]
    rules = [{d["rule"] for d in s["data"]} for s in lines]
    assert len(lines) >= 2 and all(len(r) == 1 for r in rules)
