"""Users: list, detail with the effective permissions of all their roles, create, edit, roles, unlock."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.access import MULTI_ROLE_RULE, access_object, can, can_reach, granted_scope_sets
from kepu.core.errors import ValidationFailed
from kepu.core.permissions import DOMAIN_LABELS, all_actions
from kepu.core.roles import Role, scope_label
from kepu.core.text import mask_phone
from kepu.core.views import action_required, excel_export, paginate
from kepu.org import selectors, services
from kepu.org.auth import locked_until
from kepu.org.forms import ReasonForm, UserForm, user_initial
from kepu.org.models import User


@action_required("org.user.view")
def user_list(request: HttpRequest) -> HttpResponse:
    users = selectors.user_list(user=request.user, q=request.GET.get("q", "").strip(),
                                role=request.GET.get("role", ""))
    context = {"page_title": "用户与角色", **paginate(request, users), "roles": Role.choices,
               "filters": request.GET, "show_phone": can(request.user, "org.user.view_sensitive"),
               "can_change": can(request.user, "org.user.change"),
               "can_export": can(request.user, "org.user.export")}
    template = "org/users_table.html" if request.htmx else "org/user_list.html"
    return render(request, template, context)


@action_required("org.user.export")
def user_export(request: HttpRequest) -> HttpResponse:
    from kepu.core.excel import Column, write_workbook

    show_phone = can(request.user, "org.user.view_sensitive")
    users = list(selectors.user_list(user=request.user, action="org.user.export"))
    columns = [Column("登录名", "username"), Column("姓名", "display_name"), Column("手机号", "phone"),
               Column("所属单位", "unit", width=30), Column("角色", "roles", width=30), Column("启用", "is_active")]
    rows = ((u.username, u.display_name, u.phone if show_phone else mask_phone(u.phone),
             u.unit.name if u.unit_id else "", "、".join(u.role_labels), u.is_active) for u in users)
    return excel_export(request, action="org.user.export", data=write_workbook("用户", columns, rows),
                        filename="用户.xlsx", count=len(users))


def effective_permissions(user: User) -> list[dict[str, object]]:
    """Each action the user may do, the scope per granting role, for the multi-role rule table."""
    rows = []
    for action in all_actions():
        grants = granted_scope_sets(user, action.code)
        if grants:
            rows.append({"action": action, "domain": DOMAIN_LABELS.get(action.domain, action.domain),
                         "grants": [(Role(r).label, scope_label(s)) for r, s in grants.items()]})
    return rows


@action_required("org.user.view")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _detail_page(request, user_id)


def _detail_page(request: HttpRequest, user_id: int, reason_form: ReasonForm | None = None) -> HttpResponse:
    """The user's page; after a refused deactivation its reason shows again as typed, with the error."""
    person = selectors.user_detail(user=request.user, user_id=user_id)
    return render(request, "org/user_detail.html", {
        "page_title": f"用户：{person}", "person": person,
        "phone": person.phone if can(request.user, "org.user.view_sensitive") else mask_phone(person.phone),
        "permissions": effective_permissions(person), "multi_role_rule": MULTI_ROLE_RULE,
        "locked_until": locked_until(person.username),
        "can_change": can(request.user, "org.user.change") and can_reach(request.user, "org.user.change", person),
        "reason_form": reason_form or ReasonForm(),
    })


def _user_form(request: HttpRequest, person: User | None) -> UserForm:
    return UserForm(request.POST or None, initial=user_initial(person) if person else {"roles": []},
                    units=selectors.unit_choices(user=request.user, action="org.unit.view"),
                    regions=selectors.region_choices(user=request.user, action="org.unit.view"),
                    creating=person is None)


@action_required("org.user.change")
def user_create(request: HttpRequest) -> HttpResponse:
    form = _user_form(request, None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.user_create(actor=request.user, username=data.pop("username"),
                                          password=data.pop("password"), roles=data.pop("roles"),
                                          must_change_password=True, **data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已新建用户“{person}”，首次登录须修改密码。")
            return redirect("org:user_detail", user_id=person.pk)
    return render(request, "org/user_form.html", {"page_title": "新建用户", "form": form})


@action_required("org.user.change")
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = access_object(User.objects.prefetch_related("role_assignments"), request.user, "org.user.change",
                           pk=user_id)
    form = _user_form(request, person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = data.pop("roles")
        data.pop("username", None)
        try:
            services.user_update(actor=request.user, user=person, **data)
            services.user_set_roles(actor=request.user, user=person, roles=roles)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect("org:user_detail", user_id=person.pk)
    return render(request, "org/user_form.html", {"page_title": f"编辑用户：{person}", "form": form,
                                                   "person": person})


@require_POST
@action_required("org.user.change")
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    person = access_object(User.objects.all(), request.user, "org.user.change", pk=user_id)
    services.user_unlock(actor=request.user, user=person)
    messages.success(request, "已解除登录锁定。")
    return redirect("org:user_detail", user_id=person.pk)


@require_POST
@action_required("org.user.change")
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    person = access_object(User.objects.all(), request.user, "org.user.change", pk=user_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, person.pk, form)
    try:
        services.user_deactivate(actor=request.user, user=person, reason=form.cleaned_data["reason"])
    except ValidationFailed as exc:
        form.add_error("reason", exc.message)
        return _detail_page(request, person.pk, form)
    messages.success(request, "账号已停用。")
    return redirect("org:user_detail", user_id=person.pk)
