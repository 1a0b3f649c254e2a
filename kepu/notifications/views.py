from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.access import scoped
from kepu.core.views import action_required, paginate
from kepu.notifications import services
from kepu.notifications.models import Notification


@action_required("notifications.view")
def inbox(request: HttpRequest) -> HttpResponse:
    notes = scoped(Notification.objects.all(), request.user, "notifications.view")
    return render(request, "notifications/inbox.html", {"page_title": "消息", **paginate(request, notes)})


@require_POST
@action_required("notifications.view")
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")


@action_required("notifications.view")
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    from kepu.core.access import access_object

    note = access_object(Notification.objects.all(), request.user, "notifications.view", pk=notification_id)
    services.mark_read(user=request.user, notification_ids=[note.pk])
    return redirect(note.link or "notifications:inbox")
