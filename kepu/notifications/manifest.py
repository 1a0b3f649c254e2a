"""What the notifications infrastructure contributes to the shells: its daily housekeeping job."""

from __future__ import annotations

from kepu.core.exports import export_ready
from kepu.core.registry import ScheduledJob, add_scheduled_job
from kepu.notifications.tasks import purge_phone_codes

add_scheduled_job(ScheduledJob("notifications.purge_phone_codes", purge_phone_codes, hour=3, minute=30))


def _tell_export_owner(sender: object, job: object, **kwargs: object) -> None:
    """A background export is done (or failed): tell its owner where to download it."""
    from django.urls import reverse

    from kepu.core.models import ExportStatus
    from kepu.notifications.services import notify

    done = getattr(job, "status", "") == ExportStatus.DONE
    notify([getattr(job, "user", None)], title=f"导出{'已完成' if done else '失败'}：{getattr(job, 'title', '')}",
           body="" if done else getattr(job, "message", ""), link=reverse("backoffice:exports"), kind="core.export")


export_ready.connect(_tell_export_owner, dispatch_uid="notifications.export_ready")
