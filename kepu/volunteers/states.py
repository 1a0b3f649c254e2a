"""Workflow tables: which verb moves a record from which status to which. Only the services named after
these verbs assign `status`; a verb the current status does not allow raises WorkflowError and changes
nothing."""

from __future__ import annotations

from kepu.core.errors import WorkflowError
from kepu.volunteers.models import HoursStatus, MembershipStatus, ObjectionStatus, StarStatus

M, H, S, OB = MembershipStatus, HoursStatus, StarStatus, ObjectionStatus

MEMBERSHIP = {
    "apply": {M.REJECTED: M.PENDING, M.LEFT: M.PENDING},  # a new request reuses the one row per team
    "approve": {M.PENDING: M.APPROVED},
    "reject": {M.PENDING: M.REJECTED},
    "leave": {M.APPROVED: M.LEFT, M.PENDING: M.LEFT},
}

HOURS = {
    "approve": {H.PENDING: H.APPROVED},
    "decline": {H.PENDING: H.DECLINED},
}

STAR = {
    "approve": {S.SUBMITTED: S.IN_NOTICE},  # the unit's approval opens the public notice
    "return": {S.SUBMITTED: S.RETURNED},
    "cancel": {S.SUBMITTED: S.CANCELLED},
    "reject": {S.IN_NOTICE: S.REJECTED},  # an objection upheld during the notice
    "certify": {S.IN_NOTICE: S.CERTIFIED},
}

OBJECTION = {
    "uphold": {OB.OPEN: OB.UPHELD},
    "dismiss": {OB.OPEN: OB.DISMISSED},
}

VERB_LABELS = {"apply": "申请", "approve": "通过", "reject": "不予通过", "leave": "退出", "decline": "不予认定",
               "return": "退回", "cancel": "撤回", "certify": "发证", "uphold": "认定异议成立",
               "dismiss": "认定异议不成立"}


def next_status(table: dict[str, dict[str, str]], verb: str, current: str, label: str) -> str:
    """The status `verb` leads to from `current`, or WorkflowError naming what is not allowed."""
    target = table[verb].get(current)
    if target is None:
        raise WorkflowError(f"当前状态为“{label}”，不能{VERB_LABELS.get(verb, verb)}")
    return target


def allowed_verbs(table: dict[str, dict[str, str]], current: str) -> list[str]:
    return [verb for verb, moves in table.items() if current in moves]
