"""Writes of the volunteers domain. Each takes the actor, checks the action and the row's scope, runs in
one transaction and leaves an audit entry; nothing else in the code base saves these models."""

from kepu.volunteers.services.hours import (
    hours_add,
    hours_approve,
    hours_approve_many,
    hours_decline,
    hours_withdraw,
    order_hours_add,
)
from kepu.volunteers.services.teams import (
    membership_apply,
    membership_approve,
    membership_leave,
    membership_reject,
    membership_set_leader,
    team_create,
    team_deactivate,
    team_update,
)

__all__ = [
    "hours_add", "hours_approve", "hours_approve_many", "hours_decline", "hours_withdraw", "membership_apply",
    "membership_approve", "membership_leave", "membership_reject", "membership_set_leader", "order_hours_add",
    "team_create", "team_deactivate", "team_update",
]
