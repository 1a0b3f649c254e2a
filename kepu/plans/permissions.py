"""Actions of the plan ledger and who may do them in which data scope.

The office (纲要办) does everything across the city. A liaison reaches the tasks where the own unit is
a lead or participating unit, and only the own unit's reports, orders and scores. An area
administrator sees the tasks of units in the own area. The system administrator runs accounts, not
the ledger (separation of duties), and experts, volunteers and residents see nothing of it; residents
see only what the office publishes on the portal.
"""

from kepu.core.permissions import Action, add_audit_labels, register
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

# Audit codes of the writes that are not permission actions, so the log shows what was done.
add_audit_labels({
    "plans.plan.create": "新建方案", "plans.plan.update": "修改方案", "plans.plan.import_draft": "导入方案（草稿）",
    "plans.plan.import_discard": "放弃方案导入", "plans.task.update": "修改任务", "plans.alert_rule.update": "修改预警规则",
    "plans.indicator.update": "修改指标", "plans.indicator.value": "填报指标值",
    "plans.report.save": "保存进展（草稿）", "plans.report.submit": "提交进展", "plans.report.resubmit": "重新提交进展",
    "plans.report.approve": "审核通过进展", "plans.report.return": "退回进展",
    "plans.order.sign": "签收督办单", "plans.order.answer": "回复督办单", "plans.order.reject_answer": "退回督办单重办",
    "plans.order.close": "办结督办单",
    "plans.assessment.rubric_create": "新建考核细则", "plans.assessment.item_save": "保存考核项目",
    "plans.assessment.compute": "考核计分", "plans.assessment.adjust": "调整考核得分",
    "plans.assessment.publish": "发布考核结果",
    "plans.assessment.correct": "发布考核结果更正（新版本）", "plans.assessment.withdraw": "撤回考核结果",
})
