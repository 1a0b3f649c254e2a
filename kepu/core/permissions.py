"""The action registry: every permission-checked thing a user can do, and who may do it.

A domain declares its actions in its own `permissions.py`:

    register(Action("org.unit.view", "查看单位", grants={Role.OFFICE: DataScope.ALL,
                                                      Role.LIAISON: DataScope.UNIT}))

A role may be granted an action in several scopes, e.g. `Role.VOLUNTEER: (DataScope.SELF,
DataScope.TEAM_LED)`: the rows it reaches are their union.

`kepu.core.access` evaluates them; the permission-matrix page lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kepu.core.roles import DataScope, Role


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    grants: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    # Actions that write or export are audited when denied; views are not (they change nothing).
    sensitive: bool = False

    def scopes(self, role: str) -> tuple[str, ...]:
        """The scopes a role is granted this action in (empty when it is not granted)."""
        granted = self.grants.get(role)
        if granted is None:
            return ()
        return (granted,) if isinstance(granted, str) else tuple(granted)

    @property
    def domain(self) -> str:
        return self.code.split(".", 1)[0]


_registry: dict[str, Action] = {}


def register(*actions: Action) -> None:
    for action in actions:
        unknown = set(action.grants) - set(Role.values)
        if unknown:
            raise ValueError(f"{action.code}: unknown roles {sorted(unknown)}")
        bad_scopes = {s for role in action.grants for s in action.scopes(role)} - set(DataScope.values)
        if bad_scopes:
            raise ValueError(f"{action.code}: unknown scopes {sorted(bad_scopes)}")
        _registry[action.code] = action


def get_action(code: str) -> Action:
    try:
        return _registry[code]
    except KeyError:
        raise LookupError(f"未登记的操作：{code}") from None


def all_actions() -> list[Action]:
    return sorted(_registry.values(), key=lambda a: a.code)


_audit_labels: dict[str, str] = {}


def add_audit_labels(labels: dict[str, str]) -> None:
    """Chinese names for audit action codes that are not permission actions (e.g. org.unit.create)."""
    _audit_labels.update(labels)


def describe_action(code: str) -> str:
    """The Chinese name of an audit action code, falling back to the code itself."""
    if code in _audit_labels:
        return _audit_labels[code]
    action = _registry.get(code)
    return action.label if action else code


DOMAIN_LABELS = {
    "core": "公共",
    "org": "组织与权限",
    "plans": "纲要实施",
    "literacy": "素质监测",
    "service_orders": "基层科普服务",
    "volunteers": "科技志愿服务",
    "backoffice": "工作台",
    "api": "接口",
    "notifications": "消息",
    "auth": "登录",
}
