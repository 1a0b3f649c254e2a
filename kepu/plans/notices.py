"""The 督办单 as a document the office sends: the same text for the print view and the Word file,
laid out by the shared official-document helper (红头, 文号, 主送, body, 落款)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from kepu.plans.models import SupervisionOrder, UnitRole
from kepu.reports.docx import OfficialDocument, cn_date, issuer_name


@dataclass(frozen=True)
class Notice:
    issuer: str
    number: str
    title: str
    addressee: str
    paragraphs: list[str]
    signed_on: str


def order_notice(order: SupervisionOrder) -> Notice:
    """The wording of a 督办单, from the order, its task and the configured issuing organisation."""
    task = order.task
    # A unit the task does not name answers for it as a member unit sharing it (各成员单位共同负责).
    role = next((tu.role for tu in task.units.all() if tu.unit_id == order.unit_id), UnitRole.PARTICIPANT)
    duty = "牵头" if role == UnitRole.LEAD else "参与"
    state = f"，目前{task.alert_reason}" if task.alert_reason else ""
    paragraphs = [
        f"根据《{task.plan.title}》任务分工，你单位{duty}承担“{task.title}”任务{state}。"
        "现予督办，有关事项及要求如下：",
        *[line.strip() for line in order.requirement.splitlines() if line.strip()],
        f"请于{cn_date(order.due_date)}前将办理情况书面回复{issuer_name()}。",
    ]
    return Notice(issuer=issuer_name(), number=order.number, title="督办单", addressee=order.unit.name,
                  paragraphs=paragraphs, signed_on=cn_date(timezone.localdate(order.issued_at)))


def order_docx(order: SupervisionOrder) -> bytes:
    """The .docx of a 督办单 in the official layout."""
    notice = order_notice(order)
    document = OfficialDocument(notice.title, number=notice.number, addressee=notice.addressee,
                                issuer=notice.issuer)
    for text in notice.paragraphs:
        document.paragraph(text)
    document.sign_off(timezone.localdate(order.issued_at))
    return document.to_bytes()
