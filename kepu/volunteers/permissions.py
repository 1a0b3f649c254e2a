"""Actions of this domain and who may do them in which data scope.

A team leader is a volunteer (role 志愿者) whose approved membership carries `is_leader`. For the
actions a leader does for the team the role is granted 本人 + 本人带领的队伍及下级队伍 (`_SELF_AND_LED`):
the leader's teams and the teams under them, and the rows that lead to them by `ScopeRule.team`.
kepu.core.access evaluates it like every scope (this domain's manifest registers how to read the teams
a user leads); nothing else widens.
"""

from kepu.core.permissions import Action, add_audit_labels, register
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

# Audit codes of the writes that are not permission actions, so the log shows what was done.
add_audit_labels({
    "volunteers.volunteer.register": "志愿者注册", "volunteers.volunteer.create": "新增志愿者",
    "volunteers.volunteer.update": "修改志愿者信息", "volunteers.volunteer.update_own": "志愿者修改本人信息",
    "volunteers.volunteer.deactivate": "停用志愿者",
    "volunteers.team.create": "新建队伍", "volunteers.team.update": "修改队伍", "volunteers.team.deactivate": "停用队伍",
    "volunteers.membership.apply": "申请加入队伍", "volunteers.membership.approve": "通过入队申请",
    "volunteers.membership.reject": "不予通过入队申请", "volunteers.membership.leave": "退出队伍",
    "volunteers.membership.leader": "设置队长",
    "volunteers.activity.create": "发布活动", "volunteers.activity.update": "修改活动",
    "volunteers.activity.cancel": "取消活动", "volunteers.activity.new_code": "更换签到码",
    "volunteers.attendance.sign_in": "活动签到", "volunteers.attendance.sign_out": "活动签退",
    "volunteers.hours.sign_in": "签到记入时长", "volunteers.hours.order": "服务工单记入时长",
    "volunteers.hours.approve": "认定服务时长", "volunteers.hours.decline": "不予认定服务时长",
    "volunteers.star.apply": "申请星级认定", "volunteers.star.approve": "星级申请审核通过（进入公示）",
    "volunteers.star.return": "退回星级申请", "volunteers.star.cancel": "撤回星级申请",
    "volunteers.star.reject": "星级申请不予认定", "volunteers.star.certify": "星级认定发证",
    "volunteers.star.objection": "对星级公示提出异议", "volunteers.star.objection_uphold": "认定异议成立",
    "volunteers.star.objection_dismiss": "认定异议不成立", "volunteers.certificate.revoke": "撤销证书",
    "volunteers.demo.load": "载入演示数据",
})
