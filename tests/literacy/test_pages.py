"""The results pages, the Word report, exports, the import pages, the API and the portal."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document

from kepu.core.models import AuditCategory, AuditEntry
from kepu.literacy import services
from kepu.literacy.models import EstimationRun, RunStatus, SurveyWave
from tests.literacy.conftest import as_csv, survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_2024() -> SurveyWave:
    return SurveyWave.objects.get(name="2024年昆山市公民科学素质调查")


def test_the_results_page_shows_the_ratio_with_interval_n_and_the_area_table(as_user: Any,
                                                                            demo_2024: SurveyWave) -> None:
    run = demo_2024.runs.exclude(published_at=None).get()
    ratio = run.estimates.get(indicator="literacy_ratio", domain="")
    response = as_user("zhangpu").get(f"/office/literacy/results/{demo_2024.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{ratio.estimate * 100:.1f}%" in html
    assert f"{ratio.ci_low * 100:.1f}%—{ratio.ci_high * 100:.1f}%" in html
    assert 'id="district-table"' in html and "周庄镇" in html and "小区域估计" in html
    assert "data-kp-literacy-chart=\"chart-district\"" in html and "kpErrorBar" in html
    assert "发布结果" not in html  # an area administrator reads, does not publish


def test_the_results_page_uses_a_fixed_number_of_queries(as_user: Any, demo_2024: SurveyWave) -> None:
    client = as_user("office")
    url = f"/office/literacy/results/{demo_2024.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # More runs, each with all its estimates, change nothing: a run's estimates are one query.
    for _ in range(3):
        services.run_start(actor=_office(), wave=demo_2024)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 22, [q["sql"][:120] for q in many.captured_queries]


def _office() -> Any:
    from kepu.org.models import User

    return User.objects.prefetch_related("role_assignments").select_related("unit", "region").get(username="office")


def test_liaisons_do_not_see_a_run_before_it_is_published(as_user: Any, demo_2024: SurveyWave) -> None:
    draft = services.run_start(actor=_office(), wave=demo_2024)
    assert draft.status == RunStatus.DONE
    liaison = as_user("jiaoyu")
    assert liaison.get(f"/office/literacy/results/{demo_2024.pk}/?run={draft.pk}").context["run"] != draft
    office_view = as_user("office").get(f"/office/literacy/results/{demo_2024.pk}/?run={draft.pk}")
    assert office_view.context["run"] == draft and "尚未发布" in office_view.content.decode()


def test_the_trend_page_marks_targets_and_the_method_change(as_user: Any) -> None:
    response = as_user("jiaoyu").get("/office/literacy/trend/")
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["points"]) == 3
    marks = [m["name"] for m in response.context["chart"]["series"][0]["markLine"]["data"]]
    assert {"国家目标 2025年 15%", "国家目标 2035年 25%", "本地目标 2025年 23%"} <= set(marks)
    assert "2024年：评分口径由“2016 基准测试”改为“国家标准（2022 年起）”" in html


def test_the_word_report_has_the_ratio_the_area_table_and_charts_and_is_audited(as_user: Any,
                                                                               demo_2024: SurveyWave) -> None:
    response = as_user("office").get(f"/office/literacy/results/{demo_2024.pk}/report.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    ratio = demo_2024.runs.exclude(published_at=None).get().estimates.get(indicator="literacy_ratio", domain="")
    assert f"具备科学素质的比例为 {ratio.estimate * 100:.1f}%（95% 置信区间 {ratio.ci_low * 100:.1f}%—" in text
    assert "对照本地 2025 年目标 23%" in text
    areas = next(t for t in document.tables if t.rows[0].cells[0].text == "镇街")
    assert [r.cells[0].text for r in areas.rows[1:]][:2] == ["玉山镇", "巴城镇"]
    assert len(document.inline_shapes) == 2  # the area chart and the trend chart
    entry = AuditEntry.objects.filter(action="literacy.result.export").latest("id")
    assert entry.category == AuditCategory.EXPORT and "Word 报告" in entry.reason


def test_the_estimates_export_lists_every_figure(as_user: Any, demo_2024: SurveyWave) -> None:
    from openpyxl import load_workbook

    response = as_user("office").get(f"/office/literacy/results/{demo_2024.pk}/estimates.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    run = demo_2024.runs.exclude(published_at=None).get()
    assert rows[0][:5] == ("指标", "分组变量", "分组", "方法", "估计值")
    assert len(rows) - 1 == run.estimates.count()


def test_uploading_mapping_and_importing_through_the_pages(as_user: Any, demo_2024: SurveyWave, make_wave: Any,
                                                           media: Path) -> None:
    client = as_user("office")
    wave = make_wave()
    data = as_csv(survey(seed=41, psu_factor=1))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/office/literacy/waves/{wave.pk}/upload/", {"file": SimpleUploadedFile("样本.csv", data)})
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.context["mapped_items"] == 40 and "核对列对应" in page.content.decode()
    result = client.post(mapping_url, page.context["upload"].mapping, HTTP_HX_REQUEST="true")
    assert "导入完成" in result.content.decode()
    wave.refresh_from_db()
    assert wave.data_rows == len(survey(seed=41, psu_factor=1))
    start = client.post(f"/office/literacy/waves/{wave.pk}/runs/new/", HTTP_HX_REQUEST="true")
    assert "已完成" in start.content.decode() and "查看结果" in start.content.decode()


def test_the_api_gives_published_results_with_intervals(cast: dict[str, Any], demo_2024: SurveyWave) -> None:
    from kepu.org.services import token_create

    _, key = token_create(actor=cast["jiaoyu"], name="测试")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    waves = client.get("/api/v1/literacy/waves").json()
    assert [w["year"] for w in waves] == [2024, 2022, 2020] and all(w["published"] for w in waves)
    figure = waves[0]["literacy_ratio"]
    assert figure["ci_low"] < figure["estimate"] < figure["ci_high"] and figure["n"] > 3000
    body = client.get(f"/api/v1/literacy/waves/{demo_2024.pk}/estimates", {"domain": "district"}).json()
    assert {e["method"] for e in body["estimates"]} == {"direct", "fay_herriot"}
    assert body["run"]["status"] == "done"


def test_the_api_starts_a_run_that_can_be_followed(cast: dict[str, Any], demo_2024: SurveyWave) -> None:
    from kepu.org.services import token_create

    _, key = token_create(actor=cast["office"], name="测试")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    started = client.post(f"/api/v1/literacy/waves/{demo_2024.pk}/runs", content_type="application/json")
    assert started.status_code == 202
    followed = client.get(f"/api/v1/literacy/runs/{started.json()['id']}").json()
    assert (followed["status"], followed["progress"]) == ("done", 100)


def test_the_portal_shows_the_published_headline_to_everyone(demo_2024: SurveyWave) -> None:
    draft = services.run_start(actor=_office(), wave=demo_2024)
    EstimationRun.objects.filter(pk=draft.pk).update(status=RunStatus.DONE)
    response = Client().get("/literacy/")
    ratio = demo_2024.runs.exclude(published_at=None).get().estimates.get(indicator="literacy_ratio", domain="")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="portal-ratio">{ratio.estimate * 100:.1f}%' in html and "95% 置信区间" in html
    assert response.context["latest"].run.is_published


def test_the_home_card_shows_the_latest_ratio(as_user: Any) -> None:
    html = as_user("jiaoyu").get("/office/").content.decode()
    assert 'id="literacy-home-card"' in html and "95% 置信区间" in html
    assert 'id="literacy-home-card"' not in as_user("expert").get("/office/").content.decode()
