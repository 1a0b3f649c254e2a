"""Template context for every page: the site name and the navigation the user may see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from kepu.core.access import can
from kepu.core.registry import nav_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"kepu_site_name": f"{settings.KEPU_CITY_NAME}科普工作平台"}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/office/"):
        return context
    sections: dict[str, dict[str, Any]] = {}
    entries = []
    for item in nav_items():
        if not can(user, item.action):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {"label": item.label, "url": url, "icon": item.icon, "active": False}
        sections.setdefault(item.section, {"title": item.section, "items": []})["items"].append(entry)
        entries.append(entry)
    # The current page belongs to the entry with the longest matching address (…/orders/stats/ is
    # 服务统计, not 服务工单 at …/orders/).
    matching = [e for e in entries if request.path.startswith(e["url"])]
    if matching:
        max(matching, key=lambda e: len(e["url"]))["active"] = True
    context["nav_sections"] = list(sections.values())
    from kepu.notifications.services import unread_count

    context["unread_notifications"] = unread_count(user)
    return context
