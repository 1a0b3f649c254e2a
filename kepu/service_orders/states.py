"""The order workflow as a table: which verb may move an order from which status to which.

群众点单 place → 社区派单 dispatch → 部门领单 claim → 服务队接单 accept → start → complete → 群众评单 rate,
with reject (不予受理) and return (退单) needing a reason, teams releasing an order back to the open
pool, the office recalling (撤回重派: the order goes back to the dispatch queue), reassigning to another
department or cancelling, and the overdue job returning an order to the previous queue.

Nothing but `kepu.service_orders.services` assigns `ServiceOrder.status`, and only along these rows;
any other (verb, status) pair raises WorkflowError and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from kepu.core.errors import WorkflowError
from kepu.service_orders.models import EventKind, OrderStatus

S = OrderStatus


@dataclass(frozen=True)
class Transition:
    verb: str
    source: str
    target: str
    event: str


@dataclass(frozen=True)
class Verb:
    code: str
    label: str  # the button's words
    action: str  # the permission checked (with the row's scope) before the transition
    needs_reason: bool = False
    # Another permission that also allows the verb, e.g. the office directing a claimed order to a team.
    also: str = ""

    @property
    def actions(self) -> tuple[str, ...]:
        return (self.action, self.also) if self.also else (self.action,)


VERBS = {v.code: v for v in (
    Verb("dispatch", "派单", "service_orders.order.dispatch"),
    Verb("reject", "不予受理", "service_orders.order.dispatch", needs_reason=True),
    Verb("claim", "领单", "service_orders.order.claim"),
    Verb("return", "退单", "service_orders.order.claim", needs_reason=True),
    Verb("offer", "指派队伍", "service_orders.order.claim", also="service_orders.order.reassign"),
    Verb("accept", "接单", "service_orders.order.accept"),
    Verb("release", "退回", "service_orders.order.accept", needs_reason=True),
    Verb("start", "开始服务", "service_orders.order.deliver"),
    Verb("complete", "完成服务", "service_orders.order.deliver"),
    Verb("rate", "评价", "service_orders.order.rate"),
    Verb("cancel", "取消工单", "service_orders.order.cancel", needs_reason=True),
    Verb("recall", "撤回重派", "service_orders.order.reassign", needs_reason=True),
    Verb("reassign", "改派部门", "service_orders.order.reassign", needs_reason=True),
    Verb("time_out", "超时退回", "service_orders.order.reassign"),
)}

_ACTIVE_BEFORE_SERVICE = (S.PLACED, S.DISPATCHED, S.CLAIMED, S.ACCEPTED)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("dispatch", S.PLACED, S.DISPATCHED, EventKind.DISPATCHED),
    Transition("reject", S.PLACED, S.REJECTED, EventKind.REJECTED),
    Transition("claim", S.DISPATCHED, S.CLAIMED, EventKind.CLAIMED),
    # The department gives the order back to the community's dispatch queue.
    Transition("return", S.DISPATCHED, S.PLACED, EventKind.RETURNED),
    Transition("return", S.CLAIMED, S.PLACED, EventKind.RETURNED),
    # The department (or the office) directs a claimed order to one team, or opens it to every team.
    Transition("offer", S.CLAIMED, S.CLAIMED, EventKind.OFFERED),
    Transition("accept", S.CLAIMED, S.ACCEPTED, EventKind.ACCEPTED),
    # A team declines an order offered to it, or gives back one it accepted: it goes to the open pool.
    Transition("release", S.CLAIMED, S.CLAIMED, EventKind.RELEASED),
    Transition("release", S.ACCEPTED, S.CLAIMED, EventKind.RELEASED),
    Transition("start", S.ACCEPTED, S.IN_SERVICE, EventKind.STARTED),
    Transition("complete", S.IN_SERVICE, S.COMPLETED, EventKind.COMPLETED),
    Transition("rate", S.COMPLETED, S.RATED, EventKind.RATED),
    *(Transition("cancel", s, S.CANCELLED, EventKind.CANCELLED) for s in _ACTIVE_BEFORE_SERVICE),
    *(Transition("recall", s, S.PLACED, EventKind.RECALLED) for s in (S.DISPATCHED, S.CLAIMED, S.ACCEPTED)),
    *(Transition("reassign", s, S.DISPATCHED, EventKind.REASSIGNED)
      for s in (S.DISPATCHED, S.CLAIMED, S.ACCEPTED)),
    # The overdue job: each waiting stage goes back to the queue before it.
    Transition("time_out", S.DISPATCHED, S.PLACED, EventKind.TIMED_OUT),
    Transition("time_out", S.CLAIMED, S.DISPATCHED, EventKind.TIMED_OUT),
    Transition("time_out", S.ACCEPTED, S.CLAIMED, EventKind.TIMED_OUT),
)

_BY_VERB_AND_SOURCE = {(t.verb, t.source): t for t in TRANSITIONS}

# Statuses a requester may still cancel from (before a team has committed).
REQUESTER_CANCELLABLE = (S.PLACED, S.DISPATCHED, S.CLAIMED)
OPEN_STATUSES = (S.PLACED, S.DISPATCHED, S.CLAIMED, S.ACCEPTED, S.IN_SERVICE)
DONE_STATUSES = (S.COMPLETED, S.RATED)


def transition_for(verb: str, status: str) -> Transition:
    """The row of the table for this verb from this status, or WorkflowError (nothing is changed)."""
    found = _BY_VERB_AND_SOURCE.get((verb, status))
    if found is None:
        label = VERBS[verb].label if verb in VERBS else verb
        raise WorkflowError(f"工单当前为“{OrderStatus(status).label}”，不能执行“{label}”")
    return found


def allowed_verbs(status: str) -> list[str]:
    return [t.verb for t in TRANSITIONS if t.source == status]
