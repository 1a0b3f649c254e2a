"""What the shared kernel contributes: the purge of expired exports and the reaper of stalled work."""

from __future__ import annotations

from typing import Any

from kepu.core.leases import TrackedWork, track
from kepu.core.registry import ScheduledJob, add_scheduled_job
from kepu.core.tasks import purge_exports, reap_stale_work

add_scheduled_job(ScheduledJob("core.purge_exports", purge_exports, hour=3, minute=40))
add_scheduled_job(ScheduledJob("core.reap_stale_work", reap_stale_work, every_minutes=5))


def _exports() -> Any:
    from kepu.core.models import ExportJob

    return ExportJob.objects.all()


def _enqueue_export(job_id: int) -> None:
    from kepu.core.tasks import build_export

    build_export.enqueue(job_id)


track(TrackedWork("core.export", _exports, queued="queued", running="running", failed="failed",
                  enqueue=_enqueue_export))
