"""Writes to regions, units, aliases, users and roles. Each takes the actor, runs in one transaction
and leaves an audit entry; nothing else in the code base saves these models."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import deny, require, require_reach, scoped
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.roles import ADMIN_ROLES, Role
from kepu.core.text import is_mobile, normalize_name
from kepu.core.transitions import save_if_unchanged
from kepu.org.models import ApiToken, Region, RoleAssignment, Unit, UnitAlias, User

UNIT_FIELDS = ("name", "short_name", "kind", "region", "parent", "is_member", "credit_code",
               "contact_phone", "sort_order", "is_active")
REGION_FIELDS = ("code", "name", "level", "parent", "is_active")
USER_FIELDS = ("username", "display_name", "phone", "email", "unit", "region", "is_active", "must_change_password")


# ---------------------------------------------------------------- regions

def region_path(code: str, parent: Region | None) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def _check_region(*, code: str, name: str, parent: Region | None, instance: Region | None = None) -> None:
    if not (code.isdigit() and len(code) == 12):
        raise ValidationFailed("区划代码应为 12 位数字（国家统计用区划代码）", "code")
    if not name.strip():
        raise ValidationFailed("名称不能为空", "name")
    if parent is not None and instance is not None and parent.path.startswith(instance.path):
        raise ValidationFailed("上级区划不能是本区划或其下级", "parent")
    clash = Region.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None))
    if clash.exists():
        raise ValidationFailed(f"区划代码 {code} 已存在", "code")


@transaction.atomic
def region_create(*, actor: Any, code: str, name: str, level: str, parent: Region | None) -> Region:
    require(actor, "org.region.change")
    _check_region(code=code, name=name, parent=parent)
    region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent,
                                   path=region_path(code, parent))
    audit.record(actor, "org.region.create", category=AuditCategory.CREATE, obj=region,
                 after=audit.snapshot(region, REGION_FIELDS))
    return region


@transaction.atomic
def region_update(*, actor: Any, region: Region, **changes: Any) -> Region:
    require(actor, "org.region.change")
    before = audit.snapshot(region, REGION_FIELDS)
    for field, value in changes.items():
        setattr(region, field, value)
    _check_region(code=region.code, name=region.name, parent=region.parent, instance=region)
    old_path = region.path
    region.path = region_path(region.code, region.parent)
    region.save()
    if old_path != region.path:
        _move_subtree(Region, old_path, region.path)
    audit.record(actor, "org.region.update", obj=region, before=before, after=audit.snapshot(region, REGION_FIELDS))
    return region


def _move_subtree(model: type[Region] | type[Unit], old: str, new: str) -> None:
    rows = list(model.objects.filter(path__startswith=old).exclude(path=new))
    for row in rows:
        row.path = new + row.path[len(old):]
    model.objects.bulk_update(rows, ["path"], batch_size=1000)


# ---------------------------------------------------------------- units

def unit_path(unit: Unit) -> str:
    return f"{unit.parent.path if unit.parent_id else '/'}{unit.pk}/"


def check_unit_name(name: str, *, exclude_unit: int | None = None) -> str:
    """The normalised name, after checking no other unit has it as name or alias."""
    normalized = normalize_name(name)
    if not normalized:
        raise ValidationFailed("单位名称不能为空", "name")
    if Unit.objects.filter(normalized_name=normalized).exclude(pk=exclude_unit).exists():
        raise ValidationFailed(f"单位“{name}”已存在", "name")
    if UnitAlias.objects.filter(normalized_name=normalized).exclude(unit_id=exclude_unit).exists():
        raise ValidationFailed(f"“{name}”已是其他单位的别名", "name")
    return normalized


def _check_parent(unit: Unit) -> None:
    if unit.parent_id and unit.pk and unit.parent.path.startswith(unit.path or "\0"):
        raise ValidationFailed("上级单位不能是本单位或其下级单位", "parent")


@transaction.atomic
def unit_create(*, actor: Any, name: str, region: Region, aliases: list[str] | None = None, **fields: Any) -> Unit:
    require(actor, "org.unit.change")
    _require_region_in_scope(actor, region)
    if fields.get("parent") is not None:
        require_reach(actor, "org.unit.view", fields["parent"])
    unit = Unit(name=name.strip(), region=region, normalized_name=check_unit_name(name), **fields)
    unit.save()
    unit.path = unit_path(unit)
    unit.save(update_fields=["path"])
    audit.record(actor, "org.unit.create", category=AuditCategory.CREATE, obj=unit,
                 after=audit.snapshot(unit, UNIT_FIELDS))
    for alias in aliases or []:
        alias_add(actor=actor, unit=unit, name=alias)
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, edit_token: str = "", **changes: Any) -> Unit:
    require(actor, "org.unit.change")
    require_reach(actor, "org.unit.change", unit)
    before = audit.snapshot(unit, UNIT_FIELDS)
    for field, value in changes.items():
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    unit.normalized_name = check_unit_name(unit.name, exclude_unit=unit.pk)
    _check_parent(unit)
    _require_region_in_scope(actor, unit.region)
    old_path, unit.path = unit.path, unit_path(unit)
    save_if_unchanged(unit, edit_token, actor=actor, action="org.unit.change")
    if old_path != unit.path:
        _move_subtree(Unit, old_path, unit.path)
    after = audit.snapshot(unit, UNIT_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "org.unit.update", obj=unit, before=before, after=after)
    return unit


@transaction.atomic
def unit_deactivate(*, actor: Any, unit: Unit, reason: str) -> Unit:
    """Units are never deleted (tasks, reports and scores refer to them): they are deactivated."""
    require(actor, "org.unit.change")
    require_reach(actor, "org.unit.change", unit)
    if not reason.strip():
        raise ValidationFailed("停用单位须填写原因", "reason")
    before = audit.snapshot(unit, UNIT_FIELDS)
    unit.is_active = False
    unit.save(update_fields=["is_active", "updated_at"])
    audit.record(actor, "org.unit.deactivate", category=AuditCategory.WITHDRAW, obj=unit, before=before,
                 after=audit.snapshot(unit, UNIT_FIELDS), reason=reason.strip())
    return unit


@transaction.atomic
def alias_add(*, actor: Any, unit: Unit, name: str) -> UnitAlias:
    require(actor, "org.unit.change")
    require_reach(actor, "org.unit.change", unit)
    normalized = normalize_name(name)
    if not normalized:
        raise ValidationFailed("别名不能为空", "name")
    if normalized == unit.normalized_name:
        raise ValidationFailed("别名与单位名称相同", "name")
    existing = UnitAlias.objects.filter(normalized_name=normalized).select_related("unit").first()
    if existing is not None:
        raise ValidationFailed(f"“{name}”已是“{existing.unit.name}”的别名", "name")
    if Unit.objects.filter(normalized_name=normalized).exists():
        raise ValidationFailed(f"“{name}”是另一个单位的名称", "name")
    alias = UnitAlias.objects.create(unit=unit, name=name.strip(), normalized_name=normalized)
    audit.record(actor, "org.unit.alias_add", category=AuditCategory.CREATE, obj=unit, after={"alias": alias.name})
    return alias


@transaction.atomic
def alias_remove(*, actor: Any, alias: UnitAlias) -> None:
    require(actor, "org.unit.change")
    require_reach(actor, "org.unit.change", alias.unit)
    unit, name = alias.unit, alias.name
    alias.delete()
    audit.record(actor, "org.unit.alias_remove", category=AuditCategory.UPDATE, obj=unit, before={"alias": name})


def _require_region_in_scope(actor: Any, region: Region) -> None:
    """An area administrator may only place units inside the area they administer."""
    if not scoped(Region.objects.filter(pk=region.pk), actor, "org.unit.change").exists():
        deny(actor, "org.unit.change", obj=region)



# ---------------------------------------------------------------- users and roles

def _check_user(user: User) -> None:
    if user.phone and not is_mobile(user.phone):
        raise ValidationFailed("手机号应为 11 位中国大陆手机号码", "phone")


def _set_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("；".join(exc.messages), "password") from None
    user.set_password(password)
    user.password_changed_at = timezone.now()


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str, roles: list[str] | None = None, **fields: Any) -> User:
    require(actor, "org.user.change")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"登录名“{username}”已被使用", "username")
    user = User(username=username, **fields)
    _check_user(user)
    _set_password(user, password)
    user.save()
    audit.record(actor, "org.user.create", category=AuditCategory.CREATE, obj=user,
                 after=audit.snapshot(user, USER_FIELDS))
    user_set_roles(actor=actor, user=user, roles=roles or [])
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, **changes: Any) -> User:
    require(actor, "org.user.change")
    require_reach(actor, "org.user.change", user)
    before = audit.snapshot(user, USER_FIELDS)
    for field, value in changes.items():
        setattr(user, field, value)
    _check_user(user)
    user.save()
    after = audit.snapshot(user, USER_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "org.user.update", obj=user, before=before, after=after)
    return user


@transaction.atomic
def user_set_roles(*, actor: Any, user: User, roles: list[str]) -> User:
    require(actor, "org.user.change")
    require_reach(actor, "org.user.change", user)
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationFailed(f"未知角色：{'、'.join(sorted(unknown))}", "roles")
    actor_roles = getattr(actor, "role_codes", frozenset())
    is_system = getattr(actor, "is_system", False)
    if Role.SYSTEM_ADMIN in wanted ^ set(user.role_codes) and Role.SYSTEM_ADMIN not in actor_roles and not is_system:
        deny(actor, "org.user.change", obj=user)  # only a system administrator makes another one
    current = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if current == wanted:
        return user
    RoleAssignment.objects.filter(user=user, role__in=current - wanted).delete()
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=r, granted_by=actor if getattr(actor, "pk", None) else None)
         for r in sorted(wanted - current)]
    )
    audit.record(actor, "org.user.roles", category=AuditCategory.PERMISSION, obj=user,
                 before={"roles": sorted(current)}, after={"roles": sorted(wanted)})
    user.clear_access_cache()
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str, must_change: bool = False) -> User:
    if actor != user:
        require(actor, "org.user.change")
    _set_password(user, password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(actor, "org.user.password", category=AuditCategory.PERMISSION, obj=user,
                 reason="本人修改密码" if actor == user else "管理员重置密码")
    return user


@transaction.atomic
def user_deactivate(*, actor: Any, user: User, reason: str) -> User:
    require(actor, "org.user.change")
    require_reach(actor, "org.user.change", user)
    if not reason.strip():
        raise ValidationFailed("停用账号须填写原因", "reason")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    audit.record(actor, "org.user.deactivate", category=AuditCategory.WITHDRAW, obj=user, reason=reason.strip())
    return user


@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> None:
    require(actor, "org.user.change")
    require_reach(actor, "org.user.change", user)
    from kepu.org.auth import unlock

    unlock(user.username)
    audit.record(actor, "org.user.unlock", category=AuditCategory.PERMISSION, obj=user, reason="解除登录锁定")


# ---------------------------------------------------------------- second factor

def totp_can_enable(user: User) -> bool:
    return bool(user.role_codes & ADMIN_ROLES)


@transaction.atomic
def totp_begin(*, actor: User) -> str:
    import pyotp

    if not totp_can_enable(actor):
        raise ValidationFailed("动态口令仅对管理类角色开放")
    actor.totp_secret = pyotp.random_base32()
    actor.save(update_fields=["totp_secret"])
    return actor.totp_secret


@transaction.atomic
def totp_confirm(*, actor: User, code: str) -> None:
    if not verify_totp(actor, code, require_enabled=False):
        raise ValidationFailed("动态口令不正确，请核对手机时间后重试", "code")
    actor.totp_enabled = True
    actor.save(update_fields=["totp_enabled"])
    audit.record(actor, "org.user.totp_enable", category=AuditCategory.PERMISSION, obj=actor)


@transaction.atomic
def totp_disable(*, actor: Any, user: User) -> None:
    if actor != user:
        require(actor, "org.user.change")
    user.totp_enabled, user.totp_secret = False, ""
    user.save(update_fields=["totp_enabled", "totp_secret"])
    audit.record(actor, "org.user.totp_disable", category=AuditCategory.PERMISSION, obj=user)


def verify_totp(user: User, code: str, *, require_enabled: bool = True) -> bool:
    import pyotp

    if not user.totp_secret or (require_enabled and not user.totp_enabled):
        return False
    return pyotp.TOTP(user.totp_secret).verify(code.strip(), valid_window=1)


# ---------------------------------------------------------------- API tokens

def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its key; the key is shown once and only its hash is kept."""
    require(actor, "api.token.manage")
    if not name.strip():
        raise ValidationFailed("请填写令牌用途", "name")
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = f"kp_{prefix}_{secret}"
    token = ApiToken.objects.create(
        user=actor, name=name.strip(), prefix=prefix, key_hash=_hash_key(key),
        expires_at=timezone.now() + timedelta(days=settings.KEPU_TOKEN_TTL_DAYS),
    )
    audit.record(actor, "api.token.create", category=AuditCategory.PERMISSION, obj=token)
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        require(actor, "org.user.change")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "api.token.revoke", category=AuditCategory.PERMISSION, obj=token)


def token_authenticate(key: str) -> User | None:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "kp":
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit", "user__region", "user__unit__region")
        .filter(prefix=parts[1], revoked_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not secrets.compare_digest(token.key_hash, _hash_key(key)) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
