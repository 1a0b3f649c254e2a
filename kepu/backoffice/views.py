"""The back office's own pages: the home page (工作台) that domains fill with cards, and 我的导出."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from kepu.core import audit, exports, files
from kepu.core.access import can, require
from kepu.core.excel import XLSX_CONTENT_TYPE
from kepu.core.models import AuditCategory, ExportStatus
from kepu.core.registry import home_cards, review_queues

# What will arrive in the experts' queue once the domains that need expert review exist.
COMING_REVIEWS = (
    ("科普资源科学性审核", "科普资源库上线后，文章、视频、课程等发布前的科学性审核将分派到这里。"),
    ("谣言求证", "科学辟谣上线后，按您的专业领域分派的谣言线索将在这里给出研判结论（谣言、真相、存疑、误区）。"),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require(request.user, "backoffice.access")
    cards = []
    for card in home_cards():
        if can(request.user, card.action):
            html = card.render(request)
            if html:
                cards.append(mark_safe(html))
    return render(request, "backoffice/home.html", {
        "page_title": "工作台", "nav_active": "home", "cards": cards,
    })


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """审核队列: the expert's landing page — what waits for the expert's review, gathered from every domain
    that registers a ReviewQueue; an honest empty state until the library and rumours arrive."""
    require(request.user, "backoffice.review.view")
    queues = []
    for queue in review_queues():
        if can(request.user, queue.action):
            queues.append({"label": queue.label, "items": queue.items(request.user)})
    return render(request, "backoffice/reviews.html", {
        "page_title": "审核队列", "page_subtitle": "需要您以专家身份审核的内容", "queues": queues,
        "waiting": sum(len(q["items"]) for q in queues), "coming": COMING_REVIEWS,
    })


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """我的导出: the user's own background exports, refreshed while any is still being built."""
    require(request.user, "backoffice.access")
    jobs = list(exports.exports_of(request.user)[:50])
    busy = any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs)
    template = "backoffice/exports_table.html" if request.htmx else "backoffice/exports.html"
    return render(request, template, {"page_title": "我的导出", "jobs": jobs, "busy": busy,
                                      "keep_days": exports.KEEP_DAYS})


@login_required
def export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """Only the owner downloads an export; anyone else gets 404 and an audit entry."""
    require(request.user, "backoffice.access")
    job = exports.exports_of(request.user).filter(pk=job_id, status=ExportStatus.DONE).first()
    if job is None or not job.file:
        audit.record_denied(request.user, "core.export.download", detail=f"导出 #{job_id} 不属于本人或已过期")
        raise Http404("没有找到该导出文件")
    audit.record(request.user, "core.export.download", category=AuditCategory.EXPORT, obj=job,
                 reason=f"下载后台导出（{job.rows} 条）")
    return files.serve(job.file, filename=job.title, content_type=XLSX_CONTENT_TYPE, missing="没有找到该导出文件")
