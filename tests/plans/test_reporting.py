"""Progress reports: a liaison reports the own unit's tasks; the office approves or returns with a reason;
the liaison resubmits; the history stays; evidence is served only within the data scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.notifications.models import Notification
from kepu.plans.models import Indicator, ProgressReport, ReportEvent, ReportStatus, Task
from kepu.plans.services import reporting
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def _submit(cast: dict[str, Any], task: Task, period: Any, **kwargs: Any) -> ProgressReport:
    values = {"progress": 40, "text": "举办了第一届青少年科技节，参与学生1200人次。", "submit": True, **kwargs}
    return reporting.report_save(actor=cast["jiaoyu"], task=task, period=period, **values)


def test_a_liaison_submits_and_the_office_approves(cast: dict[str, Any], festival: Task, first_quarter: Any) -> None:
    indicator = Indicator.objects.get(task=festival)
    report = _submit(cast, festival, first_quarter, figures={indicator.pk: Decimal(1200)})
    assert (report.status, report.unit, report.submitted_by) == ("submitted", cast["jiaoyu"].unit, cast["jiaoyu"])
    assert Notification.objects.filter(recipient=cast["office"], kind="plans.report.submitted").exists()
    reporting.report_approve(actor=cast["office"], report=report, note="同意")
    festival.refresh_from_db()
    indicator.refresh_from_db()
    assert festival.progress == 40, "a lead unit's approved progress becomes the task's"
    assert (indicator.actual_value, indicator.actual_label) == (Decimal(1200), first_quarter.label)
    assert Notification.objects.filter(recipient=cast["jiaoyu"], kind="plans.report.approved").exists()


def test_a_return_needs_a_reason_and_the_liaison_resubmits(cast: dict[str, Any], festival: Task,
                                                          first_quarter: Any) -> None:
    report = _submit(cast, festival, first_quarter)
    before = db_fingerprint()
    with pytest.raises(ValidationFailed, match="退回原因"):
        reporting.report_return(actor=cast["office"], report=report, reason="  ")
    assert db_fingerprint() == before
    reporting.report_return(actor=cast["office"], report=report, reason="请补充活动照片")
    assert Notification.objects.filter(recipient=cast["jiaoyu"], kind="plans.report.returned").latest("id").body.endswith(
        "请补充活动照片")
    festival.refresh_from_db()
    assert festival.alert_level in ("yellow", "red") and "进展被退回，尚未重新提交" in festival.alert_reason
    again = _submit(cast, festival, first_quarter, progress=45, text="已补充照片")
    assert again.pk == report.pk and again.status == ReportStatus.SUBMITTED and again.times_returned == 1
    reporting.report_approve(actor=cast["office"], report=again)
    history = list(ReportEvent.objects.filter(report=report).values_list("verb", "note"))
    assert history == [("submit", ""), ("return", "请补充活动照片"), ("resubmit", ""), ("approve", "")]


def test_a_report_can_be_kept_as_a_draft_first(cast: dict[str, Any], festival: Task, first_quarter: Any) -> None:
    draft = _submit(cast, festival, first_quarter, submit=False, text="")
    assert draft.status == ReportStatus.DRAFT and draft.submitted_at is None
    with pytest.raises(ValidationFailed, match="进展情况"):
        _submit(cast, festival, first_quarter, text="")
    assert _submit(cast, festival, first_quarter).status == ReportStatus.SUBMITTED


def test_an_approved_report_cannot_change(cast: dict[str, Any], festival: Task, first_quarter: Any) -> None:
    report = _submit(cast, festival, first_quarter)
    reporting.report_approve(actor=cast["office"], report=report)
    before = db_fingerprint()
    with pytest.raises(WorkflowError, match="已通过"):
        _submit(cast, festival, first_quarter)
    with pytest.raises(WorkflowError):
        reporting.report_approve(actor=cast["office"], report=report)
    assert db_fingerprint() == before


def test_a_liaison_cannot_report_for_a_task_of_another_unit(cast: dict[str, Any], small_plan: Any,
                                                           first_quarter: Any) -> None:
    farmers = small_plan.tasks.get(title="开展农民技能培训")  # 农业农村局 and 人社局, not 教育局
    before = db_fingerprint()
    with pytest.raises(PermissionDenied):
        _submit(cast, farmers, first_quarter)
    assert db_fingerprint() == before


def test_the_office_does_not_report_and_a_liaison_does_not_review(cast: dict[str, Any], festival: Task,
                                                                  first_quarter: Any) -> None:
    with pytest.raises(PermissionDenied):
        reporting.report_save(actor=cast["office"], task=festival, period=first_quarter, progress=1, text="x")
    report = _submit(cast, festival, first_quarter)
    with pytest.raises(PermissionDenied):
        reporting.report_approve(actor=cast["jiaoyu"], report=report)


def test_evidence_is_stored_and_served_only_within_the_scope(cast: dict[str, Any], as_user: Any, festival: Task,
                                                              first_quarter: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("科技节照片.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    report = _submit(cast, festival, first_quarter, files=[photo])
    evidence = report.evidence.get()
    assert evidence.file.name.startswith(f"plans/evidence/{first_quarter.year}/") and evidence.size == 13
    url = f"/office/plans/evidence/{evidence.pk}/"
    response = as_user("jiaoyu").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\xff\xd8\xff fake jpeg"
    assert as_user("office").get(url).status_code == 200
    assert as_user("nongye").get(url).status_code == 404
    assert as_user("zhangpu").get(url).status_code == 404
    assert as_user("expert").get(url).status_code == 403


def test_an_executable_is_not_accepted_as_evidence(cast: dict[str, Any], festival: Task, first_quarter: Any) -> None:
    before = db_fingerprint()
    with pytest.raises(ValidationFailed, match="文件类型不支持"):
        _submit(cast, festival, first_quarter, files=[SimpleUploadedFile("run.exe", b"MZ")])
    assert db_fingerprint() == before


def test_nobody_else_reads_a_units_draft(cast: dict[str, Any], as_user: Any, festival: Task,
                                         first_quarter: Any) -> None:
    draft = _submit(cast, festival, first_quarter, submit=False)
    assert as_user("office").get(f"/office/plans/reports/{draft.pk}/").status_code == 404
    assert as_user("jiaoyu").get(f"/office/plans/reports/{draft.pk}/").status_code == 200


def test_the_report_form_submits_through_the_page(cast: dict[str, Any], as_user: Any, festival: Task,
                                                  first_quarter: Any) -> None:
    indicator = Indicator.objects.get(task=festival)
    url = f"/office/plans/tasks/{festival.pk}/periods/{first_quarter.pk}/report/"
    response = as_user("jiaoyu").post(url, {"progress": 35, "text": "已举办", "problems": "",
                                            f"figure_{indicator.pk}": "900", "submit": "1"})
    report = ProgressReport.objects.get(task=festival, period=first_quarter)
    assert response.status_code == 302 and report.status == "submitted"
    assert report.figures.get().value == 900
    page = as_user("office").get(f"/office/plans/reports/{report.pk}/").content.decode()
    assert "审核通过" in page and "退回修改" in page
    response = as_user("office").post(f"/office/plans/reports/{report.pk}/return/", {"reason": ""})
    assert ProgressReport.objects.get(pk=report.pk).status == "submitted", "no reason, no return"
    as_user("office").post(f"/office/plans/reports/{report.pk}/return/", {"reason": "数字有误"})
    page = as_user("jiaoyu").get(url).content.decode()
    assert "数字有误" in page and "重新提交" in page


def test_a_resubmitted_report_clears_its_warning_at_once(cast: dict[str, Any], festival: Task,
                                                         first_quarter: Any) -> None:
    """The light follows the report: no 「被退回」 left on the task once the unit has resubmitted."""
    report = _submit(cast, festival, first_quarter)
    reporting.report_return(actor=cast["office"], report=report, reason="请补充活动照片")
    festival.refresh_from_db()
    assert "进展被退回" in festival.alert_reason
    _submit(cast, festival, first_quarter, text="已补充照片")
    festival.refresh_from_db()
    assert "进展被退回" not in festival.alert_reason
    returned = Notification.objects.filter(recipient=cast["jiaoyu"], kind="plans.report.returned").latest("id")
    assert returned.read_at is not None, "the message about the return is settled by the resubmission"


def test_a_late_report_once_submitted_no_longer_shows_as_missing(cast: dict[str, Any], festival: Task,
                                                                 first_quarter: Any) -> None:
    import datetime

    from django.utils import timezone

    from kepu.plans.services import supervision

    first_quarter.due_date = timezone.localdate() - datetime.timedelta(days=10)  # late, whatever today is
    first_quarter.save(update_fields=["due_date"])
    supervision.recompute_task(festival)
    missing = f"{cast['jiaoyu'].unit.label}「{first_quarter.label}」进展逾期未报"
    assert missing in festival.alert_reason
    _submit(cast, festival, first_quarter)
    festival.refresh_from_db()
    assert missing not in festival.alert_reason
