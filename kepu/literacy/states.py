"""Workflow tables: the allowed status transitions of data uploads and estimation runs.

Only the services and tasks of this domain move a status, and only through `advance()`.
"""

from __future__ import annotations

from typing import Any

from kepu.core.errors import WorkflowError
from kepu.literacy.models import RunStatus, UploadStatus

UPLOAD_TRANSITIONS: dict[str, frozenset[str]] = {
    UploadStatus.UPLOADED: frozenset({UploadStatus.VALIDATING}),
    UploadStatus.VALIDATING: frozenset({UploadStatus.IMPORTED, UploadStatus.REJECTED}),
    UploadStatus.REJECTED: frozenset({UploadStatus.VALIDATING}),  # the mapping corrected, tried again
    UploadStatus.IMPORTED: frozenset(),
}

RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.DONE, RunStatus.FAILED}),
    RunStatus.DONE: frozenset(),
    RunStatus.FAILED: frozenset(),
}


def can_advance(table: dict[str, frozenset[str]], current: str, target: str) -> bool:
    return target in table.get(current, frozenset())


def advance(obj: Any, table: dict[str, frozenset[str]], target: str) -> None:
    """Set `obj.status` to `target` (unsaved) or raise WorkflowError when the table forbids it."""
    if not can_advance(table, obj.status, target):
        labels = dict(type(obj)._meta.get_field("status").choices)
        raise WorkflowError(f"当前状态“{labels.get(obj.status, obj.status)}”不能变为“{labels.get(target, target)}”")
    obj.status = target
