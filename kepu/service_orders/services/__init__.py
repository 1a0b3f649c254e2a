"""Writes of the order workflow: one service per verb of `states.py`, nothing else assigns `status`.

Each service checks the actor's permission and reach for the order (a refusal raises PermissionDenied
and leaves one audit entry), checks the transition against the states table (WorkflowError, nothing
changed), then moves the order with one conditional UPDATE on (pk, status, version): of two people
acting on the same order at the same moment exactly one wins, on SQLite and PostgreSQL alike, and the
other is told so in plain Chinese. The same transaction writes the OrderEvent and the audit entry;
notifications go out after commit.
"""

from kepu.service_orders.services.core import LOST
from kepu.service_orders.services.menu import item_create, item_update, settings_update
from kepu.service_orders.services.placing import OrderRequest, order_place
from kepu.service_orders.services.workflow import (
    CloseOut,
    order_accept,
    order_cancel,
    order_claim,
    order_complete,
    order_dispatch,
    order_escalate,
    order_offer,
    order_rate,
    order_reassign,
    order_recall,
    order_reject,
    order_release,
    order_return,
    order_start,
    order_time_out,
    rating_token_hash,
)

__all__ = [
    "LOST", "CloseOut", "OrderRequest", "item_create", "item_update", "order_accept", "order_cancel", "order_claim",
    "order_complete", "order_dispatch", "order_escalate", "order_offer", "order_place", "order_rate",
    "order_reassign", "order_recall", "order_reject", "order_release", "order_return", "order_start",
    "order_time_out", "rating_token_hash", "settings_update",
]
