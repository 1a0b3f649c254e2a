"""Back-office order pages: the queues and list (HTMX), export, placing for a resident, the order's page
with its timeline, one POST view per verb, and the close-out photos (served only within scope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kepu.core import files
from kepu.core.access import can, require, scoped
from kepu.core.errors import KepuError, ValidationFailed
from kepu.core.views import action_required, describe_filters, excel_export, paginate
from kepu.core.views import int_value as _int
from kepu.service_orders import photos, rules, selectors, services, sheets, teams
from kepu.service_orders.forms import (
    AcceptForm,
    CompleteForm,
    DispatchForm,
    OfferForm,
    PlaceForm,
    ReassignForm,
)
from kepu.service_orders.models import OrderChannel, OrderPhoto, OrderStatus, ServiceCategory, ServiceOrder
from kepu.service_orders.overdue import stage_deadline
from kepu.service_orders.states import VERBS

FILTER_LABELS = {"q": "关键词", "status": "状态", "queue": "队列", "town": "镇", "unit": "承办部门",
                 "team": "队伍", "category": "类别", "year": "年份"}
QUEUES = (("mine", "待我处理"), ("", "全部工单"), ("pool", "抢单池"), ("overdue", "超时督办"))


def _filters(request: HttpRequest) -> selectors.OrderFilters:
    get = request.GET
    status = get.get("status", "")
    return selectors.OrderFilters(
        q=get.get("q", "").strip()[:50], status=status if status in OrderStatus.values else "",
        queue=get.get("queue", "") if get.get("queue", "") in dict(QUEUES) else "",
        town=_int(get.get("town")), unit=_int(get.get("unit")), team=_int(get.get("team")),
        category=get.get("category", "") if get.get("category", "") in ServiceCategory.values else "",
        year=_int(get.get("year")),
    )


def _queues(user: Any) -> list[tuple[str, str]]:
    shown = []
    for code, label in QUEUES:
        if code == "pool" and not teams.led_teams(user).exists() and not can(user, "service_orders.order.reassign"):
            continue
        if code == "overdue" and not can(user, "service_orders.order.reassign"):
            continue
        shown.append((code, label))
    return shown


@action_required("service_orders.order.view")
def order_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    orders = selectors.order_list(user=request.user, filters=filters)
    led = list(teams.led_teams(request.user).values_list("pk", flat=True))
    context = {
        "page_title": "服务工单",
        "page_subtitle": "群众点单 → 社区派单 → 部门领单 → 服务队接单 → 服务 → 群众评单",
        **paginate(request, orders),
        "filters": request.GET, "queue": filters.queue, "queues": _queues(request.user),
        "statuses": OrderStatus.choices, "categories": ServiceCategory.choices,
        "towns": sheets.town_choices(), "units": sheets.unit_choices(),
        "single_team": led[0] if len(led) == 1 else None, "leads_teams": bool(led),
        "can_place": can(request.user, "service_orders.order.place"),
        "can_export": can(request.user, "service_orders.order.export"),
    }
    template = "service_orders/orders_table.html" if request.htmx else "service_orders/order_list.html"
    return render(request, template, context)


@action_required("service_orders.order.export")
def order_export(request: HttpRequest) -> HttpResponse:
    orders = selectors.order_list(user=request.user, filters=_filters(request),
                                  action="service_orders.order.export")[:sheets.EXPORT_LIMIT]
    full_phones = can(request.user, "org.user.view_sensitive")
    return excel_export(request, action="service_orders.order.export",
                        data=lambda: sheets.orders_export(list(orders), full_phones=full_phones),
                        filename="服务工单.xlsx", count=orders,
                        filters=describe_filters(request, FILTER_LABELS))


@action_required("service_orders.order.place")
def order_create(request: HttpRequest) -> HttpResponse:
    places = selectors.place_choices(user=request.user)
    form = PlaceForm(request.POST or None, places=places, initial={"item": request.GET.get("item")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_place(actor=request.user, channel=OrderChannel.COMMUNITY,
                                         request=services.OrderRequest(
                                             requester_name=data["requester_name"],
                                             requester_phone=data["requester_phone"], region=data["region"],
                                             address=data["address"], scheduled_at=form.scheduled_at,
                                             headcount=data["headcount"], item=data["item"], title=data["title"],
                                             category=data["category"], description=data["description"]))
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已代群众下单，工单号 {order.number}。")
            return redirect("service_orders:order_detail", order_id=order.pk)
    return render(request, "service_orders/order_form.html", {"page_title": "代群众下单", "form": form})


# Which form on the page each verb posts (claim and offer share the team choice).
FORM_OF_VERB = {"accept": "accept", "dispatch": "dispatch", "claim": "offer", "offer": "offer",
                "complete": "complete", "reassign": "reassign"}


def _forms(request: HttpRequest, order: Any, verbs: list[str], failed: str = "") -> dict[str, Any]:
    """The page's forms, empty; the one of a refused verb bound to what the user sent, to show it again."""
    led = teams.led_teams(request.user)
    built: dict[str, Any] = {}
    bound = FORM_OF_VERB.get(failed)

    def data(key: str) -> dict[str, Any]:
        return {"data": request.POST, "files": request.FILES} if key == bound else {}

    if "dispatch" in verbs:
        built["dispatch"] = DispatchForm(**data("dispatch"), units=selectors.dispatch_units(order), order_id=order.pk,
                                         initial={"unit": order.item.provider_unit_id if order.item else None})
    if "reassign" in verbs:
        built["reassign"] = ReassignForm(**data("reassign"), units=selectors.dispatch_units(order), order_id=order.pk)
    if "claim" in verbs or "offer" in verbs:
        initial = {"team": order.item.provider_team_id if order.item else None}
        built["offer"] = OfferForm(**data("offer"), teams=teams.active_teams(), initial=initial)
    if "accept" in verbs:
        # Chosen already: the team it is offered to, or the leader's first team (most lead one).
        chosen = order.offered_team_id or led.values_list("pk", flat=True).first()
        built["accept"] = AcceptForm(**data("accept"), teams=led if order.offered_team_id is None
                                     else led.filter(pk=order.offered_team_id), initial={"team": chosen})
    if "complete" in verbs:
        members = teams.member_users(order.team)
        built["complete"] = CompleteForm(**data("complete"), members=members, initial={"volunteers": [request.user.pk]})
    return built


@action_required("service_orders.order.view")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return _detail_page(request, selectors.order_detail(user=request.user, order_id=order_id))


def _detail_page(request: HttpRequest, order: Any, failed: str = "", refusal: ValidationFailed | None = None
                 ) -> HttpResponse:
    """The order page; after a refused verb, its form shows again as the user left it, the error under the
    field it concerns (or above the forms when it concerns none)."""
    verbs = rules.available_verbs(request.user, order)
    forms = _forms(request, order, verbs, failed)
    typed_reason = {}
    if refusal is not None:
        form = forms.get(FORM_OF_VERB.get(failed, ""))
        if form is not None:
            if form.is_valid():  # the form was fine: the refusal is the service's
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            if form.non_field_errors():
                messages.error(request, "；".join(form.non_field_errors()))
        elif VERBS[failed].needs_reason and refusal.field == "reason":
            typed_reason = {"verb": failed, "text": request.POST.get("reason", ""), "error": refusal.message}
        else:
            messages.error(request, refusal.message)
    return render(request, "service_orders/order_detail.html", {
        "show_phone": rules.may_see_phone(request.user, order),
        "page_title": f"工单 {order.number}", "order": order, "verbs": verbs, "forms": forms,
        "reason_verbs": [(v, VERBS[v].label) for v in verbs if VERBS[v].needs_reason and v != "reassign"],
        "typed_reason": typed_reason,
        "events": selectors.order_events(order=order), "photos": list(order.photos.all()),
        "deadline": stage_deadline(order, selectors.settings_current()), "now": timezone.now(),
    })


# ---------------------------------------------------------------- one POST view per verb

def _act(request: HttpRequest, order_id: int, verb: str, run: Callable[[Any], str]) -> HttpResponse:
    """Load the order within reach, run one service, report the outcome in Chinese."""
    load = selectors.order_to_accept if verb == "accept" else selectors.order_detail
    order = load(user=request.user, order_id=order_id)
    try:
        done = run(order)
    except ValidationFailed as exc:  # bad input: the page again with what was typed, nothing saved
        return _detail_page(request, order, verb, exc)
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    if not order_still_visible(request.user, order_id):
        return redirect(reverse("service_orders:order_list") + "?queue=mine")
    return redirect("service_orders:order_detail", order_id=order_id)


def order_still_visible(user: Any, order_id: int) -> bool:
    return scoped(ServiceOrder.objects.filter(pk=order_id), user, selectors.VIEW).exists()


def _reason(request: HttpRequest) -> str:
    """The reason as typed (the service says when it is missing or too long)."""
    return str(request.POST.get("reason", ""))


def _valid(form: Any) -> Any:
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        raise ValidationFailed(str(first))
    return form.cleaned_data


@require_POST
@action_required("service_orders.order.dispatch")
def order_dispatch(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        data = _valid(DispatchForm(request.POST, units=selectors.dispatch_units(order), order_id=order.pk))
        services.order_dispatch(actor=request.user, order=order, unit=data["unit"], note=data["note"])
        return f"已派单至{data['unit'].name}。"
    return _act(request, order_id, "dispatch", run)


@require_POST
@action_required("service_orders.order.dispatch")
def order_reject(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        services.order_reject(actor=request.user, order=order, reason=_reason(request))
        return "已不予受理，并短信告知群众。"
    return _act(request, order_id, "reject", run)


@require_POST
@action_required("service_orders.order.claim")
def order_claim(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        data = _valid(OfferForm(request.POST, teams=teams.active_teams()))
        services.order_claim(actor=request.user, order=order, team=data["team"], note=data["note"])
        return "已领单，" + (f"指派给{data['team'].name}。" if data["team"] else "已放入抢单池。")
    return _act(request, order_id, "claim", run)


@require_POST
@action_required("service_orders.order.claim")
def order_return(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        services.order_return(actor=request.user, order=order, reason=_reason(request))
        return "已退单，工单回到社区待派单。"
    return _act(request, order_id, "return", run)


@require_POST
@action_required("service_orders.order.view")
def order_offer(request: HttpRequest, order_id: int) -> HttpResponse:
    if not (can(request.user, "service_orders.order.claim") or can(request.user, "service_orders.order.reassign")):
        require(request.user, "service_orders.order.claim")  # 403 and an audit entry

    def run(order: Any) -> str:
        data = _valid(OfferForm(request.POST, teams=teams.active_teams()))
        services.order_offer(actor=request.user, order=order, team=data["team"], note=data["note"])
        return f"已指派给{data['team'].name}。" if data["team"] else "已放入抢单池。"
    return _act(request, order_id, "offer", run)


@require_POST
@action_required("service_orders.order.accept")
def order_accept(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        led = teams.led_teams(request.user)
        data = _valid(AcceptForm(request.POST, teams=led))
        services.order_accept(actor=request.user, order=order, team=data["team"])
        return f"接单成功：{data['team'].name}。请按预约时间提供服务。"
    return _act(request, order_id, "accept", run)


@require_POST
@action_required("service_orders.order.accept")
def order_release(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        services.order_release(actor=request.user, order=order, reason=_reason(request))
        return "已退回，工单进入抢单池。"
    return _act(request, order_id, "release", run)


@require_POST
@action_required("service_orders.order.deliver")
def order_start(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        services.order_start(actor=request.user, order=order)
        return "已开始服务。服务结束后请提交服务小结。"
    return _act(request, order_id, "start", run)


@require_POST
@action_required("service_orders.order.deliver")
def order_complete(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        members = teams.member_users(order.team) if order.team_id else get_user_model().objects.none()
        data = _valid(CompleteForm(request.POST, request.FILES, members=members))
        close_out = services.CloseOut(report=data["report"], served_count=data["served_count"],
                                      service_hours=data["service_hours"], photos=tuple(data["photos"]),
                                      volunteers=tuple(data["volunteers"]))
        services.order_complete(actor=request.user, order=order, close_out=close_out,
                                site_url=request.build_absolute_uri("/"))
        return "服务已完成，评价链接已短信发送给群众。"
    return _act(request, order_id, "complete", run)


@require_POST
@action_required("service_orders.order.cancel")
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        services.order_cancel(actor=request.user, order=order, reason=_reason(request))
        return "工单已取消。"
    return _act(request, order_id, "cancel", run)


@require_POST
@action_required("service_orders.order.reassign")
def order_recall(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        services.order_recall(actor=request.user, order=order, reason=_reason(request))
        return "已撤回，工单回到待派单队列。"
    return _act(request, order_id, "recall", run)


@require_POST
@action_required("service_orders.order.reassign")
def order_reassign(request: HttpRequest, order_id: int) -> HttpResponse:
    def run(order: Any) -> str:
        data = _valid(ReassignForm(request.POST, units=selectors.dispatch_units(order), order_id=order.pk))
        services.order_reassign(actor=request.user, order=order, unit=data["unit"], reason=data["reason"])
        return f"已改派至{data['unit'].name}。"
    return _act(request, order_id, "reassign", run)


@action_required("service_orders.order.view")
def order_photo(request: HttpRequest, order_id: int, photo_id: int) -> HttpResponse:
    """A close-out photo, only for those who may see the order (uploads are never public files)."""
    order = selectors.order_detail(user=request.user, order_id=order_id)
    return photo_response(order, photo_id)


def photo_response(order: Any, photo_id: int) -> HttpResponse:
    photo = OrderPhoto.objects.filter(pk=photo_id, order=order).first()
    if photo is None:
        raise Http404("没有找到该照片")
    response = files.serve(photo.image, content_type=photos.content_type(photo), as_attachment=False,
                           missing="照片文件已不存在")
    response["Cache-Control"] = "private, max-age=3600"
    return response
