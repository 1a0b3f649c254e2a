"""What the office sends: the 督办单 and the 工作通报 as official documents — the issuing organisation in
the red head, a 文号, the 主送, the body, the 落款 with organisation and date, and no software's name."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from kepu.core.models import AuditCategory, AuditEntry
from kepu.plans.models import SupervisionOrder
from kepu.reports.docx import RED, cn_date

pytestmark = pytest.mark.django_db

ISSUER = "昆山市全民科学素质工作领导小组办公室"
SOFTWARE = ("平台", "系统", "kepu", "软件")


def _paragraphs(content: bytes) -> list[Any]:
    return [p for p in Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def _no_software(text: str) -> None:
    for word in SOFTWARE:
        assert word not in text, word


@pytest.fixture
def order(demo_plan: Any) -> SupervisionOrder:
    return SupervisionOrder.objects.select_related("unit", "task").filter(task__plan=demo_plan).latest("id")


def test_the_demo_order_has_a_document_number_of_the_issuer(order: SupervisionOrder) -> None:
    assert re.fullmatch(rf"昆科协督〔{timezone.localdate(order.issued_at).year}〕\d+号", order.number)


def test_the_supervision_order_downloads_as_word_in_the_official_layout(as_user: Any, order: SupervisionOrder) -> None:
    response = as_user("office").get(f"/office/plans/orders/{order.pk}/order.docx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    paragraphs = _paragraphs(response.content)
    head, number, title, addressee = paragraphs[:4]
    assert head.text == ISSUER and head.runs[0].font.color.rgb == RED
    assert number.text == order.number
    assert title.text == "督办单" and title.style.name == "Title"
    assert addressee.text == f"{order.unit.name}："
    body = "\n".join(p.text for p in paragraphs[4:-2])
    assert order.task.title in body and order.requirement.splitlines()[0].strip() in body
    assert f"请于{cn_date(order.due_date)}前将办理情况书面回复{ISSUER}" in body
    assert [p.text for p in paragraphs[-2:]] == [ISSUER, cn_date(timezone.localdate(order.issued_at))]
    _no_software("\n".join(p.text for p in paragraphs))
    entry = AuditEntry.objects.filter(object_id=str(order.pk), category=AuditCategory.EXPORT).latest("id")
    assert order.number in entry.object_repr


def test_the_unit_prints_the_same_notice_from_its_page(as_user: Any, order: SupervisionOrder, cast: Any) -> None:
    liaison = next(name for name, user in cast.items() if user.unit_id == order.unit_id and name != "office")
    client = as_user(liaison)
    page = client.get(f"/office/plans/orders/{order.pk}/").content.decode()
    assert f"/office/plans/orders/{order.pk}/print/" in page and f"/office/plans/orders/{order.pk}/order.docx" in page
    printed = client.get(f"/office/plans/orders/{order.pk}/print/").content.decode()
    assert ISSUER in printed and order.number in printed and f"{order.unit.name}：" in printed
    assert "data-kp-print" in printed and "@page { size: A4" in printed
    _no_software(re.sub(r"<title>.*?</title>|<[^>]+>", "", printed, flags=re.S))


def test_an_outsider_cannot_download_another_units_order(as_user: Any, order: SupervisionOrder, cast: Any) -> None:
    outsider = next(name for name in ("zhangpu", "jiaoyu") if cast[name].unit_id != order.unit_id)
    assert as_user(outsider).get(f"/office/plans/orders/{order.pk}/order.docx").status_code in (403, 404)


def test_the_bulletin_carries_a_document_number_a_sign_off_and_the_date(as_user: Any, demo_plan: Any) -> None:
    today = timezone.localdate()
    before = AuditEntry.objects.filter(action="plans.bulletin.export", created_at__year=today.year).count()
    client = as_user("office")
    first = _paragraphs(client.get(f"/office/plans/bulletin/?plan={demo_plan.pk}").content)
    second = client.get(f"/office/plans/bulletin/?plan={demo_plan.pk}")
    assert first[0].text == ISSUER and first[1].text == f"昆科协通〔{today.year}〕{before + 1}号"
    assert _paragraphs(second.content)[1].text == f"昆科协通〔{today.year}〕{before + 2}号"
    assert f"昆科协通〔{today.year}〕{before + 2}号" in second["Content-Disposition"] or "%E5%8F%B7" in second["Content-Disposition"]
    texts = [p.text for p in first]
    assert "各成员单位：" in texts and texts[-2:] == [ISSUER, cn_date(today)]
    headings = [p.text for p in first if p.style.name == "Heading 1"]
    assert headings == ["一、总体进展", "二、各板块推进情况", "三、滞后及预警任务"]
    _no_software("\n".join(texts))


def test_the_document_number_follows_the_configured_issuer(settings: Any) -> None:
    from kepu.reports.docx import document_number

    settings.KEPU_DOC_CODE = "苏科协"
    assert document_number("督", datetime.date(2026, 3, 1), 3) == "苏科协督〔2026〕3号"


def test_bulletins_downloaded_one_after_another_never_share_a_number(as_user: Any, demo_plan: Any) -> None:
    client = as_user("office")
    names = {client.get(f"/office/plans/bulletin/?plan={demo_plan.pk}")["Content-Disposition"] for _ in range(3)}
    assert len(names) == 3, names
