"""What the notifications infrastructure contributes to the shells: its daily housekeeping job."""

from __future__ import annotations

from kepu.core.registry import ScheduledJob, add_scheduled_job
from kepu.notifications.tasks import purge_phone_codes

add_scheduled_job(ScheduledJob("notifications.purge_phone_codes", purge_phone_codes, hour=3, minute=30))
