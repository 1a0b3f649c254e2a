"""What the shared kernel contributes: the daily purge of expired background exports."""

from __future__ import annotations

from kepu.core.registry import ScheduledJob, add_scheduled_job
from kepu.core.tasks import purge_exports

add_scheduled_job(ScheduledJob("core.purge_exports", purge_exports, hour=3, minute=40))
