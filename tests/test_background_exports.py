"""Large exports are built in the background as the requesting user: the same rows as an instant
export under every role's scope, downloadable only by their owner, with the owner told when ready."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kepu.core.models import AuditCategory, AuditEntry, ExportJob, ExportStatus
from kepu.notifications.models import Notification

pytestmark = pytest.mark.django_db

# The audit log's export is left out here: each export adds its own audit entry, so two exports of the
# log never hold the same rows (its background path is the same code, checked by the cases below).
EXPORTS = ["org:unit_export", "volunteers:hours_export", "volunteers:volunteer_export",
           "service_orders:order_export", "plans:ledger_export"]
ROLES = ["office", "zhangpu", "jiaoyu", "volunteer", "admin"]


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def _client(cast: dict[str, Any], username: str) -> Client:
    client = Client()
    client.force_login(cast[username], backend="kepu.org.auth.KepuModelBackend")
    return client


@pytest.mark.parametrize("url_name", EXPORTS)
@pytest.mark.parametrize("username", ROLES)
def test_a_background_export_has_the_rows_of_the_instant_one(url_name: str, username: str, settings: Any,
                                                             cast: dict[str, Any],
                                                             django_capture_on_commit_callbacks: Any) -> None:
    client = _client(cast, username)
    instant = client.get(reverse(url_name))
    if instant.status_code in (403, 404):
        return  # this role may not export these rows at all; the authorisation tables check that
    assert instant.status_code == 200
    settings.KEPU_EXPORT_BACKGROUND_ROWS = 0  # everything above zero rows goes to the background
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.get(reverse(url_name))
    if len(_rows(instant.content)) == 1:  # header only: nothing to export, so nothing is queued
        assert queued.status_code == 200
        return
    assert queued.status_code == 302 and queued["Location"] == reverse("backoffice:exports")
    job = ExportJob.objects.filter(user=cast[username]).latest("id")
    assert job.status == ExportStatus.DONE, job.message
    download = client.get(reverse("backoffice:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert _rows(b"".join(download.streaming_content)) == _rows(instant.content)


def test_the_owner_is_told_and_the_export_is_audited(settings: Any, cast: dict[str, Any],
                                                     django_capture_on_commit_callbacks: Any) -> None:
    settings.KEPU_EXPORT_BACKGROUND_ROWS = 1
    client = _client(cast, "office")
    exports_before = AuditEntry.objects.filter(action="org.unit.export", category=AuditCategory.EXPORT).count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(reverse("org:unit_export"), {"kind": ""})
        job = ExportJob.objects.get(user=cast["office"])
        assert job.status == ExportStatus.QUEUED and "kind=" in job.path  # nothing runs before commit
    assert len(callbacks) == 1 and response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.size > 0 and job.expires_at is not None
    assert Notification.objects.filter(recipient=cast["office"], kind="core.export").count() == 1
    assert AuditEntry.objects.filter(action="org.unit.export", category=AuditCategory.EXPORT,
                                     actor=cast["office"]).count() == exports_before + 1
    page = client.get(reverse("backoffice:exports"))
    assert "单位.xlsx" in page.content.decode() and "下载" in page.content.decode()


def test_nobody_else_can_download_an_export(settings: Any, cast: dict[str, Any],
                                            django_capture_on_commit_callbacks: Any) -> None:
    settings.KEPU_EXPORT_BACKGROUND_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        _client(cast, "office").get(reverse("org:unit_export"))
    job = ExportJob.objects.get(user=cast["office"])
    denied_before = AuditEntry.objects.filter(category=AuditCategory.DENIED).count()
    for other in ("admin", "zhangpu", "jiaoyu"):
        response = _client(cast, other).get(reverse("backoffice:export_download", args=[job.pk]))
        assert response.status_code == 404
        assert job.title not in _client(cast, other).get(reverse("backoffice:exports")).content.decode()
    assert AuditEntry.objects.filter(category=AuditCategory.DENIED).count() == denied_before + 3


def test_small_exports_stay_instant(cast: dict[str, Any]) -> None:
    response = _client(cast, "office").get(reverse("org:unit_export"))
    assert response.status_code == 200 and not ExportJob.objects.exists()


def test_expired_exports_lose_their_file(settings: Any, cast: dict[str, Any],
                                         django_capture_on_commit_callbacks: Any) -> None:
    import datetime

    from django.utils import timezone

    from kepu.core.exports import purge_expired

    settings.KEPU_EXPORT_BACKGROUND_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        _client(cast, "office").get(reverse("org:unit_export"))
    job = ExportJob.objects.get(user=cast["office"])
    assert purge_expired(now=timezone.now()) == 0
    assert purge_expired(now=timezone.now() + datetime.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.file
    response = _client(cast, "office").get(reverse("backoffice:export_download", args=[job.pk]))
    assert response.status_code == 404


def test_a_large_export_is_queued_without_counting_all_its_rows(settings: Any, cast: dict[str, Any],
                                                                django_capture_on_commit_callbacks: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kepu.service_orders.models import ServiceOrder

    settings.KEPU_EXPORT_BACKGROUND_ROWS = 2
    client = _client(cast, "office")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("service_orders:order_export"))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert response.status_code == 302 and len(counts) == 1
    assert "LIMIT 3" in counts[0] and "ORDER BY" not in counts[0].upper()  # enough to know it is large
    job = ExportJob.objects.get(user=cast["office"])
    assert job.rows == 0 and job.status == ExportStatus.QUEUED  # not known yet: the task counts them
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows == ServiceOrder.objects.count() > 2
    file_rows = _rows(b"".join(client.get(reverse("backoffice:export_download", args=[job.pk])).streaming_content))
    assert len(file_rows) - 1 == job.rows


def test_the_audit_log_export_queued_reads_no_entries(settings: Any, cast: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.KEPU_EXPORT_BACKGROUND_ROWS = 2
    with CaptureQueriesContext(connection) as queries:
        response = _client(cast, "office").get(reverse("org:audit_export"))
    assert response.status_code == 302
    assert not [q for q in queries.captured_queries if 'SELECT "core_auditentry"."id"' in q["sql"]
                and "COUNT(" not in q["sql"]]


def test_count_rows_counts_a_capped_slice_without_its_order(cast: dict[str, Any]) -> None:
    from kepu.core.exports import count_rows
    from kepu.org.models import Unit

    units = Unit.objects.order_by("-name")
    total = units.count()
    assert count_rows(units) == total and count_rows(units[:3]) == 3 and count_rows(units[:total + 5]) == total
    assert count_rows(units, up_to=4) == 4 and count_rows(units[:10], up_to=4) == 4


def test_a_background_export_shows_how_many_rows_it_has_written(settings: Any, cast: dict[str, Any],
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    from kepu.core import excel, leases

    settings.KEPU_EXPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(excel, "PROGRESS_EVERY", 2)
    seen: list[int] = []
    beat = leases.beat

    def watched(model: Any, pk: int, **fields: Any) -> None:
        beat(model, pk, **fields)
        seen.append(ExportJob.objects.get(pk=pk).written)

    monkeypatch.setattr(leases, "beat", watched)
    client = _client(cast, "office")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("org:unit_export"))
    job = ExportJob.objects.get(user=cast["office"])
    assert seen[:3] == [2, 4, 6] and job.written == job.rows > 6
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, written=4)
    assert f"已写 4 / {job.rows} 行" in client.get(reverse("backoffice:exports")).content.decode()
