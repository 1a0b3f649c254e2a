"""The back office's own pages: the home page (工作台) that domains fill with cards."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from kepu.core.access import can, require
from kepu.core.registry import home_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require(request.user, "backoffice.access")
    cards = []
    for card in home_cards():
        if can(request.user, card.action):
            html = card.render(request)
            if html:
                cards.append(mark_safe(html))
    return render(request, "backoffice/home.html", {
        "page_title": "工作台", "nav_active": "home", "cards": cards,
    })
