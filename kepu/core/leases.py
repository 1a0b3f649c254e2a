"""Background work that survives a dead worker: heartbeats, and a reaper that retries or fails.

Long work (an estimation run, a data upload's validation, a background export) writes a heartbeat
while it runs. A worker killed mid-task (out of memory, a deploy, a power cut) stops the heartbeat;
every few minutes `reap_stale()` finds such rows, puts them back in the queue once more (the work is
idempotent: results are stored in one transaction at the end) or, after that, fails them with a
message the user sees. Work still queued long after it should have started — no worker is running —
is failed with a message saying so. Nothing stays 排队中 or 计算中 forever.

Domains register their kinds of work in their manifest with `track()`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kepu.core.transitions import AlreadyHandled, transition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackedWork:
    name: str
    rows: Callable[[], Any]  # the model's queryset
    queued: str
    running: str
    failed: str
    enqueue: Callable[[int], None]  # puts the row's task in the queue again
    heartbeat_field: str = "heartbeat_at"
    attempts_field: str = "attempts"
    status_field: str = "status"
    message_field: str = "message"


_tracked: dict[str, TrackedWork] = {}

LOST = "后台处理中断（处理进程意外退出），已重试仍未完成，请重新发起；如反复出现请联系管理员"
REQUEUED = "处理进程中断，已自动重新排队"
NEVER_STARTED = "排队超时：后台处理进程可能没有运行，请联系管理员检查后重新发起"


def track(work: TrackedWork) -> None:
    _tracked[work.name] = work


def tracked() -> list[TrackedWork]:
    return list(_tracked.values())


def beat(model: Any, pk: int, **fields: Any) -> None:
    """Record that the work on this row is alive (with any progress fields)."""
    model._base_manager.filter(pk=pk).update(heartbeat_at=timezone.now(), **fields)


def reap_stale(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Requeue or fail every stalled row of every tracked kind; returns how many per kind."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for work in tracked():
        done[work.name] = _reap_running(work, now) + _reap_queued(work, now)
    return done


def _reap_running(work: TrackedWork, now: datetime.datetime) -> int:
    cutoff = now - datetime.timedelta(seconds=settings.KEPU_TASK_STALE_SECONDS)
    stale = work.rows().filter(**{work.status_field: work.running, f"{work.heartbeat_field}__lt": cutoff})
    count = 0
    for row in stale:
        attempts = getattr(row, work.attempts_field)
        try:
            with transaction.atomic():
                if attempts < settings.KEPU_TASK_RETRIES:
                    transition(row, to=work.queued, status_field=work.status_field,
                               **{work.attempts_field: attempts + 1, work.message_field: REQUEUED,
                                  work.heartbeat_field: now})
                    transaction.on_commit(lambda pk=row.pk: work.enqueue(pk))
                else:
                    transition(row, to=work.failed, status_field=work.status_field, **{work.message_field: LOST})
        except AlreadyHandled:
            continue  # the worker finished it after all, or another reaper got there first
        log.warning("stalled %s %s %s", work.name, row.pk, "requeued" if attempts < settings.KEPU_TASK_RETRIES
                    else "failed")
        count += 1
    return count


def _reap_queued(work: TrackedWork, now: datetime.datetime) -> int:
    cutoff = now - datetime.timedelta(seconds=settings.KEPU_TASK_QUEUE_TIMEOUT_SECONDS)
    waiting = work.rows().filter(**{work.status_field: work.queued, f"{work.heartbeat_field}__lt": cutoff})
    count = 0
    for row in waiting:
        try:
            transition(row, to=work.failed, status_field=work.status_field, **{work.message_field: NEVER_STARTED})
        except AlreadyHandled:
            continue
        count += 1
    return count
