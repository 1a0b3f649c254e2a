"""One mechanism for data scopes: every list, detail, count, chart, export and API call goes through it.

A user holds roles; each role may be granted an action in one or more data scopes (全部 / 本区域及下级 /
本单位及下级 / 本单位 / 本人带领的队伍及下级队伍 / 本队 / 本人). A model says how its rows relate to units,
regions, teams and people with a `scope_rule`. The team scopes depend on memberships, which the kernel
does not know: the volunteers domain registers how to read them (`kepu.core.registry.MembershipScope`),
and they are then evaluated here like every other scope — there is no second mechanism. `scoped()` turns the user's grants into a filter; `access_object()` fetches one row or
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
from kepu.core.registry import membership_scope
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
    unit_is_member: bool = False  # the own unit is an active member unit of the leading group


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

    `team` (and further `teams`) lead to a volunteer team, for the team scopes (本人带领的队伍及下级队伍,
    本队); a path may cross a to-many relation ("memberships__team"). `team_open` is a filter of rows
    open to every team (an order in the open pool): whoever holds a team scope with at least one team
    reaches them too.

    `members_share` is a filter of rows every member unit of the leading group answers for (a task
    “各成员单位共同负责”): a user whose own unit is an active member unit reaches them with a unit scope,
    as if the unit were named on each.
    """

    unit: str | None = None
    region: str | None = None
    owner: str | None = None
    units: tuple[str, ...] = ()
    team: str | None = None
    teams: tuple[str, ...] = ()
    team_open: Q | None = None
    members_share: Q | None = None


def profile_of(user: Any) -> AccessProfile:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    profile = getattr(user, "access_profile", None)
    return profile if isinstance(profile, AccessProfile) else ANONYMOUS


def granted_scope_sets(user: Any, action: str) -> dict[str, tuple[str, ...]]:
    """Role → data scopes for each of the user's roles that is granted the action."""
    declared = get_action(action)
    profile = profile_of(user)
    if profile.system:
        return {"system": (DataScope.ALL,)}
    return {role: declared.scopes(role) for role in sorted(profile.roles) if declared.scopes(role)}


def granted_scopes(user: Any, action: str) -> dict[str, str]:
    """Role → data scope for each of the user's roles that is granted the action (several scopes of one
    role joined by "+", e.g. "self+team_led")."""
    return {role: "+".join(scopes) for role, scopes in granted_scope_sets(user, action).items()}


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


_MEMO = "_kepu_access_memo"


def _held(user: Any, scope: str, load: Any) -> Any:
    """What the user holds for a membership scope, read once per user object (i.e. per request: every
    request loads its own user), never shared between users."""
    memo = getattr(user, _MEMO, None)
    if memo is None:
        memo = {}
        try:
            setattr(user, _MEMO, memo)
        except AttributeError:  # an object that takes no attributes: read every time
            return load(user)
    if scope not in memo:
        memo[scope] = load(user)
    return memo[scope]


def forget(user: Any) -> None:
    """Drop what was read of the user's memberships (after they change within one request)."""
    if user is not None and hasattr(user, _MEMO):
        delattr(user, _MEMO)


def _team_q(user: Any, profile: AccessProfile, scope: str, rule: ScopeRule) -> Q | None:
    registered = membership_scope(scope)
    paths = ([rule.team] if rule.team is not None else []) + list(rule.teams)
    if registered is None or not paths or profile.user_id is None:
        return None
    held = _held(user, scope, registered.load)
    if not held:
        return None
    parts = [registered.filter(held, path) for path in paths]
    if rule.team_open is not None:
        parts.append(rule.team_open)
    return _any(parts)


def _scope_q(user: Any, profile: AccessProfile, scope: str, rule: ScopeRule) -> Q | None:
    """The filter one grant gives, or None when it gives nothing for this model and user."""
    if scope in (DataScope.TEAM_LED, DataScope.TEAM):
        return _team_q(user, profile, scope, rule)
    if scope == DataScope.ALL:
        return Q()
    if scope in (DataScope.UNIT, DataScope.UNIT_TREE):
        paths = ([rule.unit] if rule.unit is not None else []) + list(rule.units)
        parts = [_unit_q(profile, p, tree=scope == DataScope.UNIT_TREE) for p in paths]
        if rule.members_share is not None and profile.unit_is_member:
            parts.append(rule.members_share)
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
    for scope in sorted({s for scopes in granted_scope_sets(user, action).values() for s in scopes}):
        q = _scope_q(user, profile, scope, rule)
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


def _to_many(model: type[Model], path: str | None) -> bool:
    for name in (path or "").split("__") if path else ():
        found = model._meta.get_field(name)
        if found.many_to_many or found.one_to_many:
            return True
        if found.related_model is None:
            return False
        model = found.related_model  # type: ignore[assignment]
    return False


def scoped[M: Model](queryset: QuerySet[M], user: Any, action: str, *, rule: ScopeRule | None = None
                     ) -> QuerySet[M]:
    """The rows of `queryset` that `user` may reach with `action` (none if not granted).

    `rule` narrows which relations count, e.g. `ScopeRule(team="team")`: only the team that serves an
    order, not the one it is offered to (defaults to the model's own `scope_rule`).
    """
    if not can(user, action):
        return queryset.none()
    rule = rule or rule_of(queryset.model)
    q = scope_filter(user, action, rule)
    if q is None:
        return queryset.none()
    # A unit or team path through a to-many relation (participating units, memberships) can repeat rows.
    needs_distinct = bool(rule.units) or any(_to_many(queryset.model, p) for p in (rule.team, *rule.teams))
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


def can_reach(user: Any, action: str, obj: Model, *, rule: ScopeRule | None = None) -> bool:
    """Whether one already-loaded row lies in the user's scope for `action`."""
    return scoped(type(obj)._default_manager.filter(pk=obj.pk), user, action, rule=rule).exists()


def require_reach(user: Any, action: str, obj: Model) -> None:
    """For services: refuse (403 + audit entry) unless the row lies in the user's scope for `action`.

    Views fetch rows through `access_object`; services check again, so a view that forgot to would
    still change nothing.
    """
    if not can_reach(user, action, obj):
        deny(user, action, obj=obj)
