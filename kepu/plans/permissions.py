"""Actions of the plan ledger and who may do them in which data scope.

The office (纲要办) does everything across the city. A liaison reaches the tasks where the own unit is
a lead or participating unit, and only the own unit's reports, orders and scores. An area
administrator sees the tasks of units in the own area. The system administrator runs accounts, not
the ledger (separation of duties), and experts, volunteers and residents see nothing of it; residents
see only what the office publishes on the portal.
"""

from kepu.core.permissions import Action, register
from kepu.core.roles import DataScope as S
from kepu.core.roles import Role as R

_SEE = {R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE, R.LIAISON: S.UNIT}
_OFFICE = {R.OFFICE: S.ALL}

register(
    Action("plans.plan.view", "查看方案", _SEE),
    Action("plans.plan.change", "维护方案、板块与预警规则", _OFFICE, sensitive=True),
    Action("plans.plan.import", "文件导入方案（任务分解）", _OFFICE, sensitive=True),
    Action("plans.task.view", "查看任务台账", _SEE),
    Action("plans.task.change", "修改任务及责任单位", _OFFICE, sensitive=True),
    Action("plans.ledger.export", "导出任务台账", _SEE, sensitive=True),
    Action("plans.ledger.import", "导入任务台账", _OFFICE, sensitive=True),
    Action("plans.indicator.view", "查看指标", _SEE),
    Action("plans.indicator.change", "维护指标及数据来源", _OFFICE, sensitive=True),
    Action("plans.report.view", "查看进展填报", _SEE),
    Action("plans.report.submit", "填报进展", {R.LIAISON: S.UNIT}, sensitive=True),
    Action("plans.report.review", "审核进展（通过/退回）", _OFFICE, sensitive=True),
    Action("plans.alert.recompute", "重新计算预警灯", _OFFICE, sensitive=True),
    Action("plans.order.view", "查看督办单", _SEE),
    Action("plans.order.issue", "签发及办结督办单", _OFFICE, sensitive=True),
    Action("plans.order.respond", "签收及回复督办单", {R.LIAISON: S.UNIT}, sensitive=True),
    Action("plans.assessment.view", "查看考核结果", _SEE),
    Action("plans.assessment.manage", "考核评分与发布", _OFFICE, sensitive=True),
    Action("plans.bulletin.export", "生成工作通报", _OFFICE, sensitive=True),
)
