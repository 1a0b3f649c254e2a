"""Small helpers the volunteers pages share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kepu.core.access import can, deny
from kepu.core.errors import ImportRejected, KepuError, ValidationFailed
from kepu.core.excel import Column
from kepu.org.public import Region
from kepu.volunteers.forms import ImportForm


def filter_regions() -> QuerySet[Region]:
    """Regions offered in list filters: the city and its towns (area names are public; the list itself
    stays scoped, a filter only narrows it)."""
    return Region.objects.filter(is_active=True, level__in=("city", "district", "town")).order_by("path")


def require_some_team(request: HttpRequest, action: str) -> None:
    """A page that acts for a team: a volunteer who leads no team is refused like anyone not granted it."""
    from kepu.volunteers.selectors import team_choices

    if not team_choices(user=request.user, action=action).exists():
        deny(request.user, action)


def check_posted_team(request: HttpRequest, action: str) -> None:
    """A form posted for a team outside the user's reach is refused (404 and an audit entry), the same
    answer as for a team that does not exist — not redisplayed as a form error."""
    from kepu.core.access import access_object
    from kepu.volunteers.models import VolunteerTeam

    team = request.POST.get("team", "") if request.method == "POST" else ""
    if team.isdigit():
        access_object(VolunteerTeam.objects.all(), request.user, action, pk=int(team))


def show_full(request: HttpRequest) -> bool:
    """Whether the user's role may see ID numbers and phones in full."""
    return can(request.user, "volunteers.volunteer.view_sensitive")


def form_error(form: Any, exc: KepuError) -> None:
    field = getattr(exc, "field", None)
    form.add_error(field if isinstance(exc, ValidationFailed) and field in form.fields else None, exc.message)


def import_page(request: HttpRequest, *, title: str, importer: Callable[..., Any], back: str,
                columns: Sequence[Column]) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = importer(actor=request.user, data=form.cleaned_data["file"].read())
        except ImportRejected as exc:
            errors = exc.errors
        else:
            notes = "；".join(summary.notes)
            messages.success(request, f"导入完成：{summary}{'；' + notes if notes else ''}。")
            return redirect(back)
    return render(request, "volunteers/import.html", {"page_title": title, "form": form, "errors": errors,
                                                      "back": back, "columns": columns})


def run(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    """Run one service call; a refusal the user can act on becomes an error message."""
    try:
        call()
    except KepuError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True
