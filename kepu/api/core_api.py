"""Platform-wide endpoints: health, the caller's own profile, the audit log."""

from __future__ import annotations

import datetime

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from kepu.api.answers import answers
from kepu.api.paging import Pages
from kepu.core.access import granted_scopes, require, scoped
from kepu.core.models import AuditEntry
from kepu.core.permissions import all_actions

router = Router(tags=["平台"])


class HealthOut(Schema):
    status: str
    database: str


@router.get("/health", auth=None, response=answers(HealthOut, public=True), summary="健康检查")
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


class GrantOut(Schema):
    action: str
    label: str
    scopes: dict[str, str]


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    unit: str | None
    roles: list[str]
    permissions: list[GrantOut]


@router.get("/me", response=answers(MeOut), summary="当前用户及其权限")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    permissions = [
        {"action": a.code, "label": a.label, "scopes": granted_scopes(user, a.code)}
        for a in all_actions() if granted_scopes(user, a.code)
    ]
    return {"id": user.pk, "username": user.username, "display_name": user.display_name,
            "unit": user.unit.name if user.unit_id else None, "roles": sorted(user.role_codes),
            "permissions": permissions}


class AuditOut(Schema):
    id: int
    created_at: datetime.datetime
    actor_name: str
    category: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    reason: str
    ip: str | None


@router.get("/audit", response=answers(list[AuditOut]), summary="操作日志")
@paginate(Pages, page_size=50)
def audit_list(request: HttpRequest, category: str = "", action: str = "") -> object:
    require(request.user, "core.audit.view")
    entries = scoped(AuditEntry.objects.all(), request.user, "core.audit.view")
    if category:
        entries = entries.filter(category=category)
    if action:
        entries = entries.filter(action__startswith=action)
    return entries.order_by("-created_at", "-id")
