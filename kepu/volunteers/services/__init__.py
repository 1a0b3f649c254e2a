"""Writes of the volunteers domain. Each takes the actor, checks the action and the row's reach, runs in
one transaction and leaves an audit entry; nothing else in the code base saves these models.

teams.py       teams, memberships, leaders
volunteers.py  registration (SMS code), administrators' upkeep
activities.py  activities, sign-in codes, signing in and out
hours.py       hours added by hand, order-service hours, review, withdrawal
stars.py       star applications, public notice, objections, certificates
"""

from kepu.volunteers.services.activities import (
    EarlySignOut,
    SignResult,
    activity_by_code,
    activity_by_qr,
    activity_cancel,
    activity_create,
    activity_new_code,
    activity_update,
    attendance_of,
    attendance_sign,
    early_minutes,
)
from kepu.volunteers.services.hours import (
    hours_add,
    hours_approve,
    hours_approve_many,
    hours_decline,
    hours_withdraw,
    order_hours_add,
)
from kepu.volunteers.services.stars import (
    certificate_issue,
    certificate_revoke,
    certified_level,
    eligible_level,
    objection_file,
    objection_handle,
    star_apply,
    star_approve,
    star_cancel,
    star_return,
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
from kepu.volunteers.services.volunteers import (
    phone_code_send,
    volunteer_create,
    volunteer_deactivate,
    volunteer_register,
    volunteer_update,
    volunteer_update_own,
)

__all__ = [
    "EarlySignOut",
    "SignResult",
    "activity_by_code",
    "activity_by_qr",
    "activity_cancel",
    "activity_create",
    "activity_new_code",
    "activity_update",
    "attendance_of",
    "attendance_sign",
    "certificate_issue",
    "certificate_revoke",
    "certified_level",
    "early_minutes",
    "eligible_level",
    "hours_add",
    "hours_approve",
    "hours_approve_many",
    "hours_decline",
    "hours_withdraw",
    "membership_apply",
    "membership_approve",
    "membership_leave",
    "membership_reject",
    "membership_set_leader",
    "objection_file",
    "objection_handle",
    "order_hours_add",
    "phone_code_send",
    "star_apply",
    "star_approve",
    "star_cancel",
    "star_return",
    "team_create",
    "team_deactivate",
    "team_update",
    "volunteer_create",
    "volunteer_deactivate",
    "volunteer_register",
    "volunteer_update",
    "volunteer_update_own",
]
