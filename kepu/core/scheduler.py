"""Daily jobs: the scheduler process enqueues each registered job once a day; the task worker runs it.

`manage.py kepu_scheduler` loops (started by `make run`; in production one instance beside the
workers, or call `manage.py kepu_scheduler --once` from cron). Each run is recorded in JobRun, so
two schedulers, or a restart, never enqueue the same day's job twice.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from kepu.core.models import JobRun
from kepu.core.registry import ScheduledJob, scheduled_jobs


def due_jobs(now: datetime.datetime) -> list[tuple[ScheduledJob, int]]:
    """The jobs due at `now`, each with the slot of the day it is due for (0 for daily jobs)."""
    local = timezone.localtime(now)
    minutes = local.hour * 60 + local.minute
    due = []
    for job in scheduled_jobs():
        if job.every_minutes:
            due.append((job, minutes // job.every_minutes))
        elif (local.hour, local.minute) >= (job.hour, job.minute):
            due.append((job, 0))
    return due


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job whose slot has come and has not been enqueued yet; returns their names."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    started = []
    for job, slot in due_jobs(now):
        try:
            with transaction.atomic():
                JobRun.objects.create(name=job.name, day=today, slot=slot)
                job.task.enqueue()
        except IntegrityError:
            continue  # already enqueued today
        started.append(job.name)
    return started
