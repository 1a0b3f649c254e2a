"""Who may do what in literacy monitoring.

Results are aggregate statistics: the office sees every run, including those not yet published;
area administrators and member-unit liaisons see published results (the whole city's, since a
town's figure is part of them); the public sees the published headline on the portal.
"""

from kepu.core.permissions import Action, add_audit_labels, register
from kepu.core.roles import DataScope as S
from kepu.core.roles import Role as R

_OFFICE = {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}
_READERS = {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.ALL, R.LIAISON: S.ALL}

register(
    Action("literacy.result.view", "查看素质监测结果", _READERS),
    Action("literacy.result.view_draft", "查看未发布的测算结果", _OFFICE),
    Action("literacy.result.export", "导出素质监测报告", _READERS, sensitive=True),
    Action("literacy.instrument.view", "查看测评工具与评分规则", _OFFICE),
    Action("literacy.instrument.manage", "维护测评工具与评分规则", _OFFICE, sensitive=True),
    Action("literacy.wave.view", "查看调查轮次", _OFFICE),
    Action("literacy.wave.manage", "维护调查轮次、导入调查数据", _OFFICE, sensitive=True),
    Action("literacy.margin.manage", "维护人口控制数", _OFFICE, sensitive=True),
    Action("literacy.run.start", "发起素质测算", _OFFICE, sensitive=True),
    Action("literacy.run.publish", "发布测算结果", _OFFICE, sensitive=True),
    Action("literacy.target.manage", "维护素质目标值", _OFFICE, sensitive=True),
)

# Audit codes of the writes that are not permission actions, so the log shows what was done.
add_audit_labels({
    "literacy.instrument.create": "新建测评工具", "literacy.instrument.update": "修改测评工具",
    "literacy.item.import": "导入题目", "literacy.ruleset.create": "新建评分规则", "literacy.ruleset.update": "修改评分规则",
    "literacy.wave.create": "新建调查轮次", "literacy.wave.update": "修改调查轮次", "literacy.wave.import": "导入调查数据",
    "literacy.upload.create": "上传调查数据文件", "literacy.upload.confirm": "确认导入调查数据",
    "literacy.margin.replace": "更新人口控制数", "literacy.run.finish": "测算完成",
    "literacy.target.save": "保存素质目标值", "literacy.target.remove": "删除素质目标值",
})
