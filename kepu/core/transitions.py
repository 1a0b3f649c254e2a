"""Decisions and edits that two people may make at once: one conditional UPDATE decides who wins.

Every workflow step (a review decision, an order moving on, a notice published) goes through
`transition()`: the row moves only if it still holds the status it was read with, in one UPDATE, so
of two reviewers pressing 通过 and 退回 at the same instant exactly one succeeds and the other is
told 已被他人处理 — and the loser's side effects (events, audit 'after' entries, notifications) never
run, because they come after the UPDATE in the winner's service. The loser leaves one audit entry.

Edit forms of shared records use `edit_token()`/`save_if_unchanged()`: the form carries the record's
`updated_at` as read, and the save is refused if someone saved the record in between.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kepu.core import audit
from kepu.core.errors import ValidationFailed, WorkflowError

ALREADY_HANDLED = "已被他人处理，请刷新页面查看最新状态"
CHANGED_MEANWHILE = "该记录已被他人修改，请刷新后再改（您填写的内容仍保留在下方）"


class AlreadyHandled(WorkflowError):
    """Another request moved the row first. Views show the message; the API answers 409."""

    def __init__(self, message: str = ALREADY_HANDLED) -> None:
        super().__init__(message)


class ChangedMeanwhile(ValidationFailed):
    """An edit form's record was saved by someone else since the form opened. A ValidationFailed
    without a field: the form shows it above the fields and keeps what the user typed."""

    def __init__(self, message: str = CHANGED_MEANWHILE) -> None:
        super().__init__(message, None)


class EditTokenForm(forms.Form):
    """Base of the edit forms of shared records: carries `edit_token()` in a hidden field (rendered by
    includes/form_errors.html) for the service's `save_if_unchanged()`."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def transition(instance: models.Model, *, to: str, actor: Any = None, action: str = "",
               status_field: str = "status", **changes: Any) -> None:
    """Move `instance` from the status it was read with to `to`, with `changes`, in one conditional
    UPDATE; on success the instance holds the new values. If another request moved it first, record
    the refusal (when `action` is given) and raise AlreadyHandled — nothing else is written."""
    model = type(instance)
    current = getattr(instance, status_field)
    values: dict[str, Any] = {status_field: to, **changes}
    condition: dict[str, Any] = {"pk": instance.pk, status_field: current}
    if _has_field(model, "version"):
        condition["version"] = instance.version  # type: ignore[attr-defined]
        values["version"] = instance.version + 1  # type: ignore[attr-defined]
    if _has_field(model, "updated_at"):
        values.setdefault("updated_at", timezone.now())
    won = model._base_manager.filter(**condition).update(**values)
    if won != 1:
        if action:
            audit.record_denied(actor, action, obj=instance, detail=f"未生效：{ALREADY_HANDLED}")
        raise AlreadyHandled()
    for name, value in values.items():
        setattr(instance, name, value)


def edit_token(instance: models.Model) -> str:
    """What an edit form carries to detect a concurrent change: the record's updated_at as read."""
    stamp = getattr(instance, "updated_at", None)
    return stamp.isoformat() if stamp else ""


def save_if_unchanged(instance: models.Model, token: str | None, *, actor: Any = None, action: str = "",
                      update_fields: list[str] | None = None) -> None:
    """Save an edited record only if nobody saved it since the form was opened (`token` from
    `edit_token`). Call inside the service's transaction: the row is locked while it is compared, so
    of two editors saving at once the second sees the first one's change and is refused. An empty
    token (a caller without a form, an import) saves unconditionally."""
    model = type(instance)
    if token and instance.pk is not None and _has_field(model, "updated_at"):
        read_at = _parse(token)
        current = (model._base_manager.select_for_update().filter(pk=instance.pk)
                   .values_list("updated_at", flat=True).first())
        if current != read_at:
            if action:
                audit.record_denied(actor, action, obj=instance, detail=f"未生效：{CHANGED_MEANWHILE}")
            raise ChangedMeanwhile()
    instance.save(update_fields=update_fields)


def _parse(token: str) -> datetime | None:
    parsed = parse_datetime(token)
    if parsed is None:
        raise ChangedMeanwhile("页面已过期，请刷新后再改")
    return parsed
