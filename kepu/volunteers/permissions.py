"""Actions of this domain and who may do them in which data scope.

A team leader is a volunteer (role 志愿者) whose approved membership carries `is_leader`. For the
actions a leader does for the team the role is granted 本人 + 本人带领的队伍及下级队伍 (`_SELF_AND_LED`):
the leader's teams and the teams under them, and the rows that lead to them by `ScopeRule.team`.
kepu.core.access evaluates it like every scope (this domain's manifest registers how to read the teams
a user leads); nothing else widens.
"""

from kepu.core.permissions import Action, register
from kepu.core.roles import DataScope as S
from kepu.core.roles import Role as R

_ADMIN = {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE}
_STAFF = {**_ADMIN, R.LIAISON: S.UNIT_TREE}
_SELF_AND_LED = {**_STAFF, R.VOLUNTEER: (S.SELF, S.TEAM_LED)}

register(
    Action("volunteers.team.view", "查看志愿服务队", _SELF_AND_LED),
    Action("volunteers.team.change", "维护志愿服务队（含任免队长）", _ADMIN, sensitive=True),
    Action("volunteers.team.import", "导入志愿服务队", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("volunteers.team.export", "导出志愿服务队", _STAFF, sensitive=True),
    Action("volunteers.membership.apply", "申请加入志愿服务队", {R.VOLUNTEER: S.SELF}, sensitive=True),
    Action("volunteers.membership.review", "审核入队申请", _SELF_AND_LED, sensitive=True),
    Action("volunteers.volunteer.view", "查看志愿者", _SELF_AND_LED),
    Action("volunteers.volunteer.change", "登记与维护志愿者", _ADMIN, sensitive=True),
    Action("volunteers.volunteer.view_sensitive", "查看志愿者完整身份证号与手机号",
           {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}),
    Action("volunteers.volunteer.import", "导入志愿者", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("volunteers.volunteer.export", "导出志愿者", _STAFF, sensitive=True),
    Action("volunteers.activity.view", "查看志愿服务活动", _SELF_AND_LED),
    Action("volunteers.activity.manage", "发布与管理志愿服务活动", _SELF_AND_LED, sensitive=True),
    Action("volunteers.attendance.sign", "活动签到签退", {R.VOLUNTEER: S.SELF}, sensitive=True),
    Action("volunteers.hours.view", "查看服务时长", _SELF_AND_LED),
    Action("volunteers.hours.add", "补录服务时长", _SELF_AND_LED, sensitive=True),
    Action("volunteers.hours.review", "审核服务时长", _SELF_AND_LED, sensitive=True),
    Action("volunteers.hours.withdraw", "撤销服务时长", _STAFF, sensitive=True),
    Action("volunteers.hours.export", "导出服务时长", _STAFF, sensitive=True),
    Action("volunteers.star.apply", "申请星级认定", {R.VOLUNTEER: S.SELF}, sensitive=True),
    Action("volunteers.star.view", "查看星级认定", {**_STAFF, R.VOLUNTEER: S.SELF}),
    Action("volunteers.star.review", "审核星级认定与处理公示异议", _STAFF, sensitive=True),
    Action("volunteers.certificate.issue", "签发星级证书", _STAFF, sensitive=True),
    Action("volunteers.certificate.view", "查看与打印星级证书", {**_STAFF, R.VOLUNTEER: S.SELF}),
    Action("volunteers.figures.view", "查看志愿服务统计", _STAFF),
    Action("volunteers.figures.export", "导出志愿服务统计", _STAFF, sensitive=True),
)

