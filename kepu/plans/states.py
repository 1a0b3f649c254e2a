"""Workflow tables: which verb may move a record from which status to which.

Each verb has one service (reporting.report_submit, supervision.order_sign …); they call `advance()`,
which raises WorkflowError (and changes nothing) for a transition the table does not allow.
"""

from __future__ import annotations

from kepu.core.errors import WorkflowError
from kepu.plans.models import OrderStatus, ReportStatus, RubricStatus

R, OS = ReportStatus, OrderStatus

REPORT_TRANSITIONS: dict[str, dict[str, str]] = {
    # verb: {from: to}
    "save": {R.DRAFT: R.DRAFT, R.RETURNED: R.RETURNED},
    "submit": {R.DRAFT: R.SUBMITTED},
    "resubmit": {R.RETURNED: R.SUBMITTED},
    "approve": {R.SUBMITTED: R.APPROVED},
    "return": {R.SUBMITTED: R.RETURNED},
}

ORDER_TRANSITIONS: dict[str, dict[str, str]] = {
    "sign": {OS.ISSUED: OS.SIGNED},
    "answer": {OS.SIGNED: OS.ANSWERED},
    "reject_answer": {OS.ANSWERED: OS.SIGNED},
    "close": {OS.ANSWERED: OS.CLOSED, OS.SIGNED: OS.CLOSED, OS.ISSUED: OS.CLOSED},
}

RUBRIC_TRANSITIONS: dict[str, dict[str, str]] = {
    "compute": {RubricStatus.DRAFT: RubricStatus.DRAFT},
    "adjust": {RubricStatus.DRAFT: RubricStatus.DRAFT},
    "edit": {RubricStatus.DRAFT: RubricStatus.DRAFT},
    "publish": {RubricStatus.DRAFT: RubricStatus.PUBLISHED},
    "correct": {RubricStatus.PUBLISHED: RubricStatus.PUBLISHED},
}

_LABELS = {**dict(ReportStatus.choices), **dict(OrderStatus.choices), **dict(RubricStatus.choices)}
VERB_LABELS = {"save": "保存", "submit": "提交", "resubmit": "重新提交", "approve": "审核通过", "return": "退回",
               "sign": "签收", "answer": "回复", "reject_answer": "退回重办", "close": "办结",
               "compute": "计分", "adjust": "调整评分", "edit": "修改细则", "publish": "发布",
               "correct": "发布更正"}


def next_status(table: dict[str, dict[str, str]], verb: str, current: str) -> str:
    """The status after `verb`, or WorkflowError naming the current status."""
    allowed = table[verb]
    if current not in allowed:
        raise WorkflowError(f"当前状态为“{_LABELS.get(current, current)}”，不能{VERB_LABELS.get(verb, verb)}")
    return allowed[current]


def can_do(table: dict[str, dict[str, str]], verb: str, current: str) -> bool:
    return current in table[verb]
