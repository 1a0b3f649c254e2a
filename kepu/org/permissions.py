"""Who may do what with regions, units, users, the audit log and the permission matrix."""

from kepu.core.permissions import Action, register
from kepu.core.roles import DataScope as S
from kepu.core.roles import Role as R

_STAFF_VIEW = {
    R.SYSTEM_ADMIN: S.ALL,
    R.OFFICE: S.ALL,
    R.AREA_ADMIN: S.REGION_TREE,
    R.LIAISON: S.UNIT,
    R.EXPERT: S.UNIT,
}

register(
    Action("backoffice.access", "进入工作台", {
        R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE,
        R.LIAISON: S.UNIT, R.EXPERT: S.SELF, R.VOLUNTEER: S.SELF,
    }),
    Action("org.region.view", "查看行政区划", {
        R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE,
    }),
    Action("org.region.change", "维护行政区划", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("org.region.import", "导入行政区划", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("org.region.export", "导出行政区划", {
        R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE,
    }, sensitive=True),
    Action("org.unit.view", "查看单位", _STAFF_VIEW),
    Action("org.unit.change", "维护单位", {
        R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE,
    }, sensitive=True),
    Action("org.unit.import", "导入单位", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("org.unit.export", "导出单位", _STAFF_VIEW, sensitive=True),
    Action("org.user.view", "查看用户", {
        R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE, R.LIAISON: S.UNIT,
    }),
    Action("org.user.change", "维护用户与角色", {
        R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.REGION_TREE,
    }, sensitive=True),
    Action("org.user.view_sensitive", "查看完整手机号与证件号", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}),
    Action("org.user.export", "导出用户", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("core.audit.view", "查看操作日志", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL, R.AREA_ADMIN: S.SELF,
                                          R.LIAISON: S.SELF, R.EXPERT: S.SELF, R.VOLUNTEER: S.SELF}),
    Action("core.audit.export", "导出操作日志", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("core.permission.view", "查看权限矩阵", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}),
    Action("core.permission.export", "导出权限矩阵", {R.SYSTEM_ADMIN: S.ALL, R.OFFICE: S.ALL}, sensitive=True),
    Action("api.token.manage", "管理本人接口令牌", {
        R.SYSTEM_ADMIN: S.SELF, R.OFFICE: S.SELF, R.AREA_ADMIN: S.SELF, R.LIAISON: S.SELF, R.EXPERT: S.SELF,
    }),
)
