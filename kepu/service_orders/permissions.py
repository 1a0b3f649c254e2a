"""Actions of the order workflow and who may do them in which data scope.

Town and community staff (区县/乡镇管理员) dispatch the orders of their area; member-unit liaisons
claim the orders dispatched to their unit; volunteer team leaders (role 志愿者, scope 本人带领的队伍及下级队伍)
accept and deliver the orders offered to their team, held by it, or open to all (`ServiceOrder.scope_rule`);
members (scope 本队) follow their team's orders; the office sees and steers all. Residents follow their own orders on
the portal (“我的预约”, by verified phone or account), not in the back office.
"""

from kepu.core.permissions import Action, add_audit_labels, register
from kepu.core.roles import DataScope as S
from kepu.core.roles import Role as R
from kepu.service_orders.states import VERBS

_OFFICE = {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}
_STAFF = {**_OFFICE, R.AREA_ADMIN: S.REGION_TREE, R.LIAISON: S.UNIT}
_TEAM_LED = {R.VOLUNTEER: S.TEAM_LED}

register(
    Action("service_orders.item.view", "查看服务菜单", {
        **_OFFICE, R.AREA_ADMIN: S.ALL, R.LIAISON: S.ALL, R.EXPERT: S.ALL, R.VOLUNTEER: S.ALL,
    }),
    Action("service_orders.item.change", "维护服务菜单", {**_OFFICE, R.LIAISON: S.UNIT}, sensitive=True),
    Action("service_orders.order.view", "查看服务工单", {**_STAFF, R.VOLUNTEER: (S.SELF, S.TEAM, S.TEAM_LED)}),
    Action("service_orders.order.export", "导出服务工单", _STAFF, sensitive=True),
    Action("service_orders.order.place", "代群众下单", {**_OFFICE, R.AREA_ADMIN: S.REGION_TREE}, sensitive=True),
    Action("service_orders.order.dispatch", "派单与不予受理", {**_OFFICE, R.AREA_ADMIN: S.REGION_TREE},
           sensitive=True),
    Action("service_orders.order.claim", "领单、退单与指派队伍", {R.LIAISON: S.UNIT}, sensitive=True),
    Action("service_orders.order.accept", "服务队接单与退回", _TEAM_LED, sensitive=True),
    Action("service_orders.order.deliver", "开展服务与提交服务小结", _TEAM_LED, sensitive=True),
    Action("service_orders.order.rate", "评价服务", {R.PUBLIC: S.SELF, R.VOLUNTEER: S.SELF}, sensitive=True),
    Action("service_orders.order.cancel", "取消工单", _OFFICE, sensitive=True),
    Action("service_orders.order.reassign", "撤回重派与改派", _OFFICE, sensitive=True),
    Action("service_orders.stats.view", "查看服务统计", _STAFF),
    Action("service_orders.stats.export", "导出服务统计", _STAFF, sensitive=True),
    Action("service_orders.settings.change", "设置工单时限", _OFFICE, sensitive=True),
)

# Audit codes of the writes that are not permission actions, so the log shows what was done; the
# workflow's verbs are named from its table.
add_audit_labels({f"service_orders.order.{code}": verb.label for code, verb in VERBS.items()})
add_audit_labels({
    "service_orders.item.create": "新增服务菜单项", "service_orders.item.update": "修改服务菜单项",
    "service_orders.order.escalate": "工单超时提醒上级", "service_orders.phone.verify": "验证手机号",
    "service_orders.order.place": "点单",
})
