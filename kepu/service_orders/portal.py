"""The residents' side (mobile first): browse the menu, verify a phone by SMS code, order, follow
"我的预约", cancel before a team commits, and rate through the link sent when the service is done.

No account is needed: a phone verified by a 6-digit code is kept in the session for two hours. A
signed-in resident orders with the account's phone.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kepu.core.errors import KepuError, ValidationFailed
from kepu.service_orders import selectors, services, verification
from kepu.service_orders.forms import CodeForm, PhoneForm, PortalOrderForm, RateForm, ReasonForm
from kepu.service_orders.models import OrderChannel, ServiceCategory
from kepu.service_orders.states import REQUESTER_CANCELLABLE

SESSION_PHONE = "service_orders.phone"
SESSION_AT = "service_orders.phone_at"


def verified_phone(request: HttpRequest) -> str:
    """The phone this visitor has proved (SMS code within two hours), or a signed-in account's phone."""
    phone, at = request.session.get(SESSION_PHONE, ""), request.session.get(SESSION_AT, "")
    if phone and at:
        since = timezone.now() - datetime.datetime.fromisoformat(at)
        if since < datetime.timedelta(hours=verification.VERIFIED_HOURS):
            return phone
    user = request.user
    if user.is_authenticated and getattr(user, "phone", ""):
        return user.phone
    return ""


def _to_verify(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("service_orders_portal:verify") + "?" + urlencode({"next": request.get_full_path()}))


def menu(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    category = category if category in ServiceCategory.values else ""
    counts = selectors.menu_category_counts()
    return render(request, "service_orders/portal/menu.html", {
        "page_title": "预约科普服务", "items": selectors.public_menu(category=category), "category": category,
        "categories": [(code, label, counts.get(code, 0)) for code, label in ServiceCategory.choices
                       if counts.get(code)],
        "phone": verified_phone(request),
    })


def verify(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone gets a code; step 2: the code proves it. Then back to where the visitor was."""
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("service_orders_portal:mine")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("service_orders_portal:mine")
    phone_form, code_form = PhoneForm(), None
    if request.method == "POST" and request.POST.get("step") == "send":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                verification.code_send(phone=phone_form.cleaned_data["phone"])
            except ValidationFailed as exc:
                phone_form.add_error("phone", exc.message)
            else:
                code_form = CodeForm(initial={"phone": phone_form.cleaned_data["phone"]})
    elif request.method == "POST" and request.POST.get("step") == "check":
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                verification.code_check(phone=code_form.cleaned_data["phone"], code=code_form.cleaned_data["code"])
            except ValidationFailed as exc:
                code_form.add_error("code", exc.message)
            else:
                request.session.cycle_key()
                request.session[SESSION_PHONE] = code_form.cleaned_data["phone"]
                request.session[SESSION_AT] = timezone.now().isoformat()
                messages.success(request, "手机号验证成功。")
                return redirect(next_url)
    return render(request, "service_orders/portal/verify.html", {
        "page_title": "验证手机号", "phone_form": phone_form, "code_form": code_form, "next": next_url,
    })


def order_form(request: HttpRequest) -> HttpResponse:
    phone = verified_phone(request)
    if not phone:
        return _to_verify(request)
    item_id = request.GET.get("item", "")
    item = selectors.public_item(item_id=int(item_id)) if item_id.isdigit() else None
    places = selectors.service_places()
    user = request.user
    initial = {"requester_name": getattr(user, "display_name", "") if user.is_authenticated else ""}
    form = PortalOrderForm(request.POST or None, places=places, initial=initial)
    if item is not None:
        form.fields["headcount"].max_value = item.max_headcount
        form.fields["headcount"].widget.attrs["max"] = item.max_headcount
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order_request = services.OrderRequest(
            requester_name=data["requester_name"], requester_phone=phone, region=data["region"],
            address=data["address"], scheduled_at=form.scheduled_at, headcount=data["headcount"], item=item,
            title=data["title"], category=data["category"], description=data["description"])
        try:
            order = services.order_place(actor=user, request=order_request, verified_phone=phone,
                                         channel=OrderChannel.PORTAL)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"预约已提交，工单号 {order.number}。社区派单后会短信通知您。")
            return redirect("service_orders_portal:mine_detail", order_id=order.pk)
    return render(request, "service_orders/portal/order_form.html", {
        "page_title": "预约服务", "form": form, "item": item, "phone": phone,
    })


def mine(request: HttpRequest) -> HttpResponse:
    phone = verified_phone(request)
    if not phone and not request.user.is_authenticated:
        return _to_verify(request)
    orders = selectors.orders_of_phone(phone=phone, user=request.user)[:50]
    return render(request, "service_orders/portal/mine.html", {
        "page_title": "我的预约", "orders": orders, "phone": phone,
    })


def _own_order(request: HttpRequest, order_id: int) -> Any:
    phone = verified_phone(request)
    order = selectors.orders_of_phone(phone=phone, user=request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404("没有找到该预约")
    return order


def mine_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    if not verified_phone(request) and not request.user.is_authenticated:
        return _to_verify(request)
    order = _own_order(request, order_id)
    return render(request, "service_orders/portal/mine_detail.html", {
        "page_title": f"预约 {order.number}", "order": order,
        "events": selectors.order_events(order=order), "can_cancel": order.status in REQUESTER_CANCELLABLE,
        "cancel_form": ReasonForm(), "rate_form": RateForm() if order.status == "completed" else None,
    })


@require_POST
def mine_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _own_order(request, order_id)
    form = ReasonForm(request.POST)
    try:
        services.order_cancel(actor=request.user, order=order, verified_phone=verified_phone(request),
                              reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "预约已取消。")
    return redirect("service_orders_portal:mine_detail", order_id=order.pk)


@require_POST
def mine_rate(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _own_order(request, order_id)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择评分。")
        return redirect("service_orders_portal:mine_detail", order_id=order.pk)
    try:
        services.order_rate(actor=request.user, order=order, rating=form.cleaned_data["rating"],
                            comment=form.cleaned_data["comment"], verified_phone=verified_phone(request))
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "感谢您的评价！")
    return redirect("service_orders_portal:mine_detail", order_id=order.pk)


def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent by SMS when the service is done: rate without signing in."""
    order = selectors.order_by_rating_token(token_hash=services.rating_token_hash(token))
    if order is None:
        return render(request, "service_orders/portal/rate_done.html", {
            "page_title": "评价服务", "gone": True}, status=404)
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_rate(actor=request.user, order=order, rating=form.cleaned_data["rating"],
                                comment=form.cleaned_data["comment"], token=token)
        except KepuError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "service_orders/portal/rate_done.html", {
                "page_title": "感谢评价", "order": order, "rating": form.cleaned_data["rating"]})
    return render(request, "service_orders/portal/rate.html", {
        "page_title": "评价服务", "order": order, "form": form,
    })


def mine_photo(request: HttpRequest, order_id: int, photo_id: int) -> HttpResponse:
    """A close-out photo of the resident's own order."""
    from kepu.service_orders.views.orders import photo_response

    order = _own_order(request, order_id)
    return photo_response(order, photo_id)
