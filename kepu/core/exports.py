"""Excel exports, instant when small and built in the background when large.

Every export view hands `excel_export()` (kepu.core.views) its rows' queryset (or their count) and a
function that builds the workbook. Up to `KEPU_EXPORT_BACKGROUND_ROWS` rows the file is built and sent at once, as before.
Above it an `ExportJob` is queued (after commit) and the user is sent to 我的导出; the task then
replays the same export URL with the same filters *as the same user* — so the data scope, the caps
and the audit entry are exactly those of an instant export — and stores the file through Django's
storage API (the local disk or the S3 bucket, kepu.core.files); while it writes, the rows written so far
show on 我的导出 (`ExportJob.written`, every `excel.PROGRESS_EVERY` rows). The owner is notified (`export_ready`
signal, answered by kepu.notifications) and alone may download it, through the app, until it expires;
a daily job deletes expired files.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import resolve
from django.utils import timezone

from kepu.core import audit, excel, leases
from kepu.core.context import ClientInfo, client_context
from kepu.core.models import AuditCategory, ExportJob, ExportStatus
from kepu.core.transitions import AlreadyHandled, transition

log = logging.getLogger(__name__)

export_ready = Signal()  # sent with `job` when a background export is done or has failed
KEEP_DAYS = 7


def respond(request: HttpRequest, *, action: str, data: bytes | Callable[[], bytes], filename: str,
            count: int | QuerySet[Any], filters: str = "") -> HttpResponse:
    """Send the export now, or queue it when it is large (see the module's docstring).

    `count` is the number of rows, or the queryset of the rows: then they are counted only as far as
    the threshold, so that the request which queues 100,000 rows does not count them (the task does)."""
    from kepu.core.views import file_response

    job = getattr(request, "kepu_export_job", None)
    threshold = settings.KEPU_EXPORT_BACKGROUND_ROWS
    if job is None and callable(data):
        known = count if isinstance(count, int) else count_rows(count, up_to=threshold + 1)
        if known > threshold:
            return _queue(request, action=action, filename=filename,
                          count=known if isinstance(count, int) else None, filters=filters)
        count = known  # at most the threshold: counted in full
    if not isinstance(count, int):
        count = count_rows(count)
    if job is not None and job.rows != count:
        ExportJob.objects.filter(pk=job.pk).update(rows=count)
        job.rows = count
    content = data() if callable(data) else data
    audit.record(request.user, action, category=AuditCategory.EXPORT, object_repr=filename,
                 reason=f"导出 {count} 条" + (f"；条件：{filters}" if filters else "")
                 + ("（后台生成）" if job is not None else ""))
    return file_response(content, filename)


def count_rows(rows: QuerySet[Any], *, up_to: int | None = None) -> int:
    """How many rows a queryset holds (a slice of it: at most the slice), counted without its ordering,
    which changes nothing of the number but makes the database sort; `up_to` stops counting there."""
    unordered = rows.all()
    unordered.query.clear_ordering(force=True)
    if up_to is not None:
        unordered.query.set_limits(high=up_to)
    return unordered.count()


def _queue(request: HttpRequest, *, action: str, filename: str, count: int | None, filters: str) -> HttpResponse:
    from kepu.core.middleware import client_ip
    from kepu.core.tasks import build_export

    job = ExportJob.objects.create(user=request.user, action=action, title=filename[:200],
                                   path=request.get_full_path()[:2000], filters=filters[:500],
                                   ip=client_ip(request), rows=count or 0)
    transaction.on_commit(lambda: build_export.enqueue(job.pk))
    size = f"共 {count} 条" if count else f"超过 {settings.KEPU_EXPORT_BACKGROUND_ROWS} 条"
    messages.info(request, f"{size}，数据较多，已转入后台生成。完成后会通知您，可在“我的导出”下载。")
    return redirect("backoffice:exports")


def build(job_id: int) -> ExportJob:
    """The task: replay the export as its owner and store the file (or record why it failed)."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        transition(job, to=ExportStatus.RUNNING, heartbeat_at=timezone.now())
    except AlreadyHandled:
        return job  # enqueued twice, or already built: nothing to do
    progress = excel.row_progress.set(lambda written: leases.beat(ExportJob, job.pk, written=written))
    try:
        with client_context(ClientInfo(ip=job.ip, channel="task")):
            response = _replay(job)
        if response.status_code != 200:
            raise RuntimeError(f"export answered {response.status_code}")
        content = response.content
        # A name of its own, never the title: two people's exports of the same list never meet in the
        # storage (the title is only the download's file name).
        job.file.save(f"{uuid.uuid4().hex}{PurePosixPath(job.title).suffix[:10]}", ContentFile(content), save=False)
        now = timezone.now()
        transition(job, to=ExportStatus.DONE, file=job.file.name, size=len(content), finished_at=now,
                   expires_at=now + datetime.timedelta(days=KEEP_DAYS), message="", written=job.rows)
    except Exception as exc:  # the job must end visibly, whatever went wrong
        log.exception("background export %s failed", job.pk)
        transition(job, to=ExportStatus.FAILED, finished_at=timezone.now(),
                   message=f"生成失败（{type(exc).__name__}），请重新导出；如仍失败请联系管理员")
    finally:
        excel.row_progress.reset(progress)
    export_ready.send(sender=ExportJob, job=job)
    return job


def _replay(job: ExportJob) -> HttpResponse:
    path, _, query = job.path.partition("?")
    match = resolve(path)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {"REMOTE_ADDR": job.ip or "127.0.0.1", "SERVER_NAME": "kepu.task", "SERVER_PORT": "80",
                    "QUERY_STRING": query}
    request.user = job.user
    request.kepu_export_job = job  # type: ignore[attr-defined]
    request.htmx = False  # type: ignore[attr-defined]
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response


def exports_of(user: Any) -> Any:
    """A user's own exports (nobody sees another's)."""
    return ExportJob.objects.filter(user=user)


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their expiry (daily job); the rows stay, marked expired."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lt=now):
        if job.file:
            job.file.delete(save=False)
        try:
            transition(job, to=ExportStatus.EXPIRED, file="")
        except AlreadyHandled:
            continue
        purged += 1
    return purged
