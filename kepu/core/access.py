"""One mechanism for data scopes: every list, detail, count, chart, export and API call goes through it.

A user holds roles; each role may be granted an action in one data scope (全部 / 本区域及下级 /
本单位及下级 / 本单位 / 本人). A model says how its rows relate to units, regions and people with a
`scope_rule`. `scoped()` turns the user's grants into a filter; `access_object()` fetches one row or
answers 404, whether the row does not exist or lies outside the user's scope, so that nothing leaks.

The rule for a user with several roles is explicit and shown on the user page: for each action the
rows visible are the union of the rows each granting role would see. No role widens another role's
scope, and no action is reachable unless one of the user's roles is granted it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from kepu.core.permissions import get_action
from kepu.core.roles import DataScope, Role

MULTI_ROLE_RULE = (
    "多角色规则：同一操作按各角色的数据范围分别计算后取并集，下表逐项列出来源角色；"
    "一个角色的范围不会被另一个角色放宽，任何角色都未授权的操作一律不可用。"
)


@dataclass(frozen=True)
class AccessProfile:
    """What the scope filters need to know about a user, loaded once per request."""

    user_id: int | None
    roles: frozenset[str]
    unit_id: int | None = None
    unit_path: str | None = None
    region_id: int | None = None
    region_path: str | None = None
    system: bool = False


ANONYMOUS = AccessProfile(user_id=None, roles=frozenset({Role.PUBLIC}))


class SystemActor:
    """The platform itself acting: demo loading, scheduled jobs, command-line imports.

    It may do every action in scope 全部 and is recorded in the audit trail as “系统”.
    """

    is_authenticated = True
    is_active = True
    is_system = True
    pk = None
    display_name = "系统"
    role_codes: frozenset[str] = frozenset()
    access_profile = AccessProfile(user_id=None, roles=frozenset(), system=True)

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "系统"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class ScopeRule:
    """How a model's rows relate to a user.

    Each value is a lookup path to a foreign key ("unit", "task__lead_unit"); the empty string means
    the row itself is the unit (or region, or user). `units` lists extra unit paths, e.g. the
    participating units of a task, that also bring a row into a unit's scope.
    """

    unit: str | None = None
    region: str | None = None
    owner: str | None = None
    units: tuple[str, ...] = ()


def profile_of(user: Any) -> AccessProfile:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    profile = getattr(user, "access_profile", None)
    return profile if isinstance(profile, AccessProfile) else ANONYMOUS


def granted_scopes(user: Any, action: str) -> dict[str, str]:
    """Role → data scope for each of the user's roles that is granted the action."""
    grants = get_action(action).grants
    profile = profile_of(user)
    if profile.system:
        return {"system": DataScope.ALL}
    return {role: grants[role] for role in sorted(profile.roles) if role in grants}


def can(user: Any, action: str) -> bool:
    if getattr(user, "is_authenticated", False) and not getattr(user, "is_active", True):
        return False
    return bool(granted_scopes(user, action))


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def _unit_q(profile: AccessProfile, path: str, tree: bool) -> Q | None:
    if profile.unit_id is None:
        return None
    if tree:
        return Q(**{_path(path, "path__startswith"): profile.unit_path})
    return Q(**{_path(path, "pk") if path else "pk": profile.unit_id})


def _scope_q(profile: AccessProfile, scope: str, rule: ScopeRule) -> Q | None:
    """The filter one grant gives, or None when it gives nothing for this model and user."""
    if scope == DataScope.ALL:
        return Q()
    if scope in (DataScope.UNIT, DataScope.UNIT_TREE):
        paths = ([rule.unit] if rule.unit is not None else []) + list(rule.units)
        parts = [_unit_q(profile, p, tree=scope == DataScope.UNIT_TREE) for p in paths]
        return _any([p for p in parts if p is not None])
    if scope == DataScope.REGION_TREE:
        if rule.region is None or profile.region_path is None:
            return None
        return Q(**{_path(rule.region, "path__startswith"): profile.region_path})
    if scope == DataScope.SELF:
        if rule.owner is None or profile.user_id is None:
            return None
        return Q(**{_path(rule.owner, "pk") if rule.owner else "pk": profile.user_id})
    return None


def _any(parts: list[Q]) -> Q | None:
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def scope_filter(user: Any, action: str, rule: ScopeRule) -> Q | None:
    """The union of the rows each granting role reaches; None when the user reaches none."""
    profile = profile_of(user)
    parts = []
    for scope in set(granted_scopes(user, action).values()):
        q = _scope_q(profile, scope, rule)
        if q is not None:
            if not q:  # Q() — everything; nothing wider exists
                return Q()
            parts.append(q)
    return _any(parts)


def rule_of(model: type[Model]) -> ScopeRule:
    rule = getattr(model, "scope_rule", None)
    if not isinstance(rule, ScopeRule):
        raise TypeError(f"{model.__name__} has no scope_rule; it cannot be listed through data scopes")
    return rule


def scoped[M: Model](queryset: QuerySet[M], user: Any, action: str) -> QuerySet[M]:
    """The rows of `queryset` that `user` may reach with `action` (none if not granted)."""
    if not can(user, action):
        return queryset.none()
    q = scope_filter(user, action, rule_of(queryset.model))
    if q is None:
        return queryset.none()
    # A unit path through a to-many relation (participating units) can repeat rows.
    needs_distinct = bool(rule_of(queryset.model).units)
    filtered = queryset.filter(q)
    return filtered.distinct() if needs_distinct and q else filtered


def require(user: Any, action: str) -> None:
    """Raise PermissionDenied (and leave an audit entry) unless the user may do `action` at all."""
    if not can(user, action):
        deny(user, action)


def deny(user: Any, action: str, obj: Any = None) -> None:
    from kepu.core import audit

    audit.record_denied(user, action, obj=obj)
    raise PermissionDenied(f"没有权限：{get_action(action).label}")


def access_object[M: Model](queryset: QuerySet[M], user: Any, action: str, **lookup: Any) -> M:
    """One row the user may reach with `action`, or 404 — same answer for missing and out of scope."""
    require(user, action)
    try:
        return scoped(queryset, user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        if queryset.filter(**lookup).exists():
            from kepu.core import audit

            audit.record_denied(user, action, obj=None, detail=f"越权访问 {lookup}")
        raise Http404("没有找到该记录，或不在您的数据范围内") from None


def can_reach(user: Any, action: str, obj: Model) -> bool:
    """Whether one already-loaded row lies in the user's scope for `action`."""
    return scoped(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def require_reach(user: Any, action: str, obj: Model) -> None:
    """For services: refuse (403 + audit entry) unless the row lies in the user's scope for `action`.

    Views fetch rows through `access_object`; services check again, so a view that forgot to would
    still change nothing.
    """
    if not can_reach(user, action, obj):
        deny(user, action, obj=obj)
