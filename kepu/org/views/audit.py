"""The audit log (操作日志) and the permission matrix (权限矩阵): filter, read, export."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kepu.core.access import can, scoped
from kepu.core.excel import Column, write_workbook
from kepu.core.models import AuditCategory, AuditEntry
from kepu.core.permissions import DOMAIN_LABELS, all_actions, describe_action
from kepu.core.roles import DataScope, Role, scope_label
from kepu.core.views import action_required, describe_filters, excel_export, paginate

AUDIT_FILTER_LABELS = {"q": "操作人", "category": "类别", "action": "业务模块", "object": "对象", "start": "起",
                       "end": "止"}
AUDIT_EXPORT_LIMIT = 50_000


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def audit_entries(request: HttpRequest, action: str = "core.audit.view"):  # type: ignore[no-untyped-def]
    entries = scoped(AuditEntry.objects.all(), request.user, action)
    g = request.GET
    if g.get("q"):
        entries = entries.filter(actor_name__contains=g["q"].strip())
    if g.get("category"):
        entries = entries.filter(category=g["category"])
    if g.get("action"):
        entries = entries.filter(action__startswith=g["action"].strip())
    if g.get("object"):
        entries = entries.filter(object_repr__contains=g["object"].strip())
    if start := _date(g.get("start", "")):
        entries = entries.filter(created_at__date__gte=start)
    if end := _date(g.get("end", "")):
        entries = entries.filter(created_at__date__lte=end)
    return entries.order_by("-created_at", "-id")


@action_required("core.audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    context = {"page_title": "操作日志", "page_subtitle": "所有写操作、登录、导出与权限变更均有记录，日志不可修改或删除",
               **paginate(request, audit_entries(request), per_page=30), "categories": AuditCategory.choices,
               "filters": request.GET, "can_export": can(request.user, "core.audit.export"),
               "domains": list(DOMAIN_LABELS.items())}
    template = "org/audit_table.html" if request.htmx else "org/audit_list.html"
    return render(request, template, context)


AUDIT_COLUMNS = [Column("时间", "created_at", width=20), Column("操作人", "actor_name"), Column("类别", "category", width=10),
                 Column("操作", "action", width=24), Column("对象", "object_repr", width=30), Column("原因/说明", "reason", width=30),
                 Column("来源地址", "ip", width=16), Column("渠道", "channel", width=8), Column("修改前", "before", width=40),
                 Column("修改后", "after", width=40)]


@action_required("core.audit.export")
def audit_export(request: HttpRequest) -> HttpResponse:
    import json

    entries = audit_entries(request, "core.audit.export")[:AUDIT_EXPORT_LIMIT]

    def build() -> bytes:
        # Rows read only here: a queued export must not fetch the 50,000 entries it leaves to the task.
        rows = ((e.created_at, e.actor_name, e.get_category_display(), describe_action(e.action), e.object_repr,
                 e.reason, e.ip, e.channel, json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                 json.dumps(e.after, ensure_ascii=False) if e.after is not None else "") for e in entries.iterator())
        return write_workbook("操作日志", AUDIT_COLUMNS, rows)

    return excel_export(request, action="core.audit.export", data=build, filename="操作日志.xlsx",
                        count=entries, filters=describe_filters(request, AUDIT_FILTER_LABELS))


def permission_matrix() -> tuple[list[str], list[dict[str, object]]]:
    roles = [label for _, label in Role.choices]
    rows = []
    for action in all_actions():
        rows.append({"domain": DOMAIN_LABELS.get(action.domain, action.domain), "code": action.code,
                     "label": action.label,
                     "cells": [scope_label(action.scopes(r)) for r in Role.values]})
    return roles, rows


@action_required("core.permission.view")
def permission_list(request: HttpRequest) -> HttpResponse:
    roles, rows = permission_matrix()
    return render(request, "org/permissions.html", {
        "page_title": "权限矩阵", "page_subtitle": "角色 × 操作 × 数据范围；由各业务模块在代码中声明，变更须经版本发布",
        "roles": roles, "rows": rows, "scopes": DataScope.choices,
        "can_export": can(request.user, "core.permission.export"),
    })


@action_required("core.permission.export")
def permission_export(request: HttpRequest) -> HttpResponse:
    roles, rows = permission_matrix()
    columns = [Column("模块", "domain", width=14), Column("操作", "label", width=24), Column("代码", "code", width=28),
               *[Column(role, role, width=14) for role in roles]]
    data = write_workbook("权限矩阵", columns, ([r["domain"], r["label"], r["code"], *r["cells"]] for r in rows))
    return excel_export(request, action="core.permission.export", data=data, filename="权限矩阵.xlsx", count=len(rows))
