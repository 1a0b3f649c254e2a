"""The residents' portal: a mobile-first home page that the domains fill with tiles."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from kepu.core.registry import portal_tiles


def home(request: HttpRequest) -> HttpResponse:
    tiles = []
    for tile in portal_tiles():
        try:
            tiles.append({"label": tile.label, "text": tile.text, "icon": tile.icon, "url": reverse(tile.url_name)})
        except NoReverseMatch:
            continue
    return render(request, "portal/home.html", {"page_title": "首页", "tiles": tiles})
