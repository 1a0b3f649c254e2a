"""Who may do what with regions, units, users, the audit log and the permission matrix."""

from kepu.core.permissions import Action, add_audit_labels, register
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

add_audit_labels({
    "auth.login": "登录", "auth.logout": "退出登录", "auth.login_failed": "登录失败", "auth.login_locked": "锁定期间尝试登录",
    "auth.totp_failed": "动态口令错误", "auth.idle_timeout": "超时自动退出",
    "auth.totp_locked": "动态口令错误次数过多被锁定", "core.export.download": "下载后台导出",
    "org.region.create": "新增区划", "org.region.update": "修改区划", "org.region.import": "导入区划",
    "org.unit.create": "新增单位", "org.unit.update": "修改单位", "org.unit.deactivate": "停用单位",
    "org.unit.import": "导入单位", "org.unit.alias_add": "添加单位别名", "org.unit.alias_remove": "删除单位别名",
    "org.user.create": "新建用户", "org.user.update": "修改用户", "org.user.roles": "变更角色",
    "org.user.password": "修改/重置密码", "org.user.deactivate": "停用账号", "org.user.unlock": "解除登录锁定",
    "org.user.totp_enable": "启用动态口令", "org.user.totp_disable": "关闭动态口令",
    "api.token.create": "创建接口令牌", "api.token.revoke": "吊销接口令牌",
})
