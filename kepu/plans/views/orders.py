"""督办单 pages: the list, issuing one from a task, and the sign → answer → close steps."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kepu.core import audit
from kepu.core.access import can
from kepu.core.errors import KepuError, ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.views import action_required, file_response, paginate
from kepu.plans import notices, selectors
from kepu.plans.forms import AnswerForm, CloseForm, OrderForm, ReasonForm
from kepu.plans.models import OrderStatus, SupervisionOrder
from kepu.plans.services import supervision
from kepu.plans.states import ORDER_TRANSITIONS, can_do
from kepu.plans.views.common import form_error
from kepu.reports.docx import DOCX_CONTENT_TYPE


@action_required("plans.order.view")
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    orders = selectors.order_list(user=request.user, status=status)
    return render(request, "plans/order_list.html", {
        "page_title": "督办单", "page_subtitle": "纲要办签发、承办单位签收并回复、纲要办办结",
        **paginate(request, orders), "statuses": OrderStatus.choices, "status": status,
        "today": timezone.localdate()})


@action_required("plans.order.issue")
def order_create(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_detail(user=request.user, task_id=task_id, action="plans.order.issue")
    units = selectors.responsible_units(task)
    lead = next((tu.unit_id for tu in task.units.all() if tu.role == "lead"), None)
    form = OrderForm(request.POST or None, units=units, task_id=task.pk,
                     initial={"unit": lead, "due_date": timezone.localdate() + datetime.timedelta(days=15),
                              "requirement": f"请针对“{task.title}”{task.alert_reason or '进展情况'}的问题，"
                                             "于办理时限前采取措施并书面回复办理情况。"})
    if request.method == "POST" and form.is_valid():
        try:
            order = supervision.order_issue(actor=request.user, task=task, **form.cleaned_data)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, f"已签发{order.number}，承办单位已收到站内消息、邮件和短信。")
            return redirect("plans:order_detail", order_id=order.pk)
    return render(request, "plans/order_form.html", {"page_title": "签发督办单", "task": task, "form": form})


@action_required("plans.order.view")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return _detail_page(request, order_id)


def _detail_page(request: HttpRequest, order_id: int, **typed: Any) -> HttpResponse:
    """The 督办单 page; `typed` holds a refused form (bound, with its error) shown again as the user left it."""
    order = selectors.order_detail(user=request.user, order_id=order_id)
    responder = can(request.user, "plans.order.respond") and order.unit_id == request.user.unit_id
    issuer = can(request.user, "plans.order.issue")
    return render(request, "plans/order_detail.html", {
        "page_title": order.number, "order": order,
        "can_sign": responder and can_do(ORDER_TRANSITIONS, "sign", order.status),
        "can_answer": responder and can_do(ORDER_TRANSITIONS, "answer", order.status),
        "can_close": issuer and can_do(ORDER_TRANSITIONS, "close", order.status),
        "can_reject": issuer and can_do(ORDER_TRANSITIONS, "reject_answer", order.status),
        "answer_form": AnswerForm(), "close_form": CloseForm(), "reason_form": ReasonForm(), **typed,
        "overdue": order.status != OrderStatus.CLOSED and order.due_date < timezone.localdate()})


@action_required("plans.order.view")
def order_print(request: HttpRequest, order_id: int) -> HttpResponse:
    """The 督办单 as the office sends it, laid out for printing on A4."""
    order = selectors.order_detail(user=request.user, order_id=order_id)
    return render(request, "plans/order_print.html", {
        "page_title": order.number, "order": order, "notice": notices.order_notice(order)})


@action_required("plans.order.view")
def order_docx(request: HttpRequest, order_id: int) -> HttpResponse:
    """The 督办单 as a Word file in the official layout (audited as an export)."""
    order = selectors.order_detail(user=request.user, order_id=order_id)
    filename = f"督办单_{order.number}.docx"
    audit.record(request.user, "plans.order.view", category=AuditCategory.EXPORT, obj=order, object_repr=filename,
                 reason=f"下载督办单 Word 文件（{order.number}）")
    return file_response(notices.order_docx(order), filename, DOCX_CONTENT_TYPE)


def _step(request: HttpRequest, order_id: int, run: Callable[[SupervisionOrder], Any], done: str,
          form: forms.Form | None = None, name: str = "") -> HttpResponse:
    """Run one step. Bad input re-renders the page with the text kept and the error under its field
    (nothing saved); a step the order's state no longer allows goes back to the page with a message."""
    order = selectors.order_detail(user=request.user, order_id=order_id)
    if form is not None and not form.is_valid():
        return _detail_page(request, order_id, **{name: form})
    try:
        run(order)
    except ValidationFailed as exc:
        if form is None:
            raise
        form.add_error(exc.field if exc.field in form.fields else next(iter(form.fields)), exc.message)
        return _detail_page(request, order_id, **{name: form})
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("plans:order_detail", order_id=order_id)


@require_POST
@action_required("plans.order.respond")
def order_sign(request: HttpRequest, order_id: int) -> HttpResponse:
    return _step(request, order_id, lambda o: supervision.order_sign(actor=request.user, order=o),
                 "已签收，请按时限办理并回复。")


@require_POST
@action_required("plans.order.respond")
def order_answer(request: HttpRequest, order_id: int) -> HttpResponse:
    form = AnswerForm(request.POST)
    return _step(request, order_id,
                 lambda o: supervision.order_answer(actor=request.user, order=o, answer=form.cleaned_data["answer"]),
                 "办理情况已回复纲要办。", form, "answer_form")


@require_POST
@action_required("plans.order.issue")
def order_reject(request: HttpRequest, order_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _step(request, order_id,
                 lambda o: supervision.order_reject_answer(actor=request.user, order=o,
                                                           reason=form.cleaned_data["reason"]),
                 "已退回承办单位重办。", form, "reason_form")


@require_POST
@action_required("plans.order.issue")
def order_close(request: HttpRequest, order_id: int) -> HttpResponse:
    form = CloseForm(request.POST)
    return _step(request, order_id,
                 lambda o: supervision.order_close(actor=request.user, order=o, note=form.cleaned_data["note"]),
                 "督办单已办结。", form, "close_form")
