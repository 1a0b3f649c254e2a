"""Template context for every page: the site name and the navigation the user may see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from kepu.core.access import can, profile_of
from kepu.core.landing import landing_for
from kepu.core.registry import nav_items, nav_notes


def _landing(user: Any, path: str) -> dict[str, Any]:
    url, label = landing_for(user)
    backoffice = bool(user is not None and user.is_authenticated and can(user, "backoffice.access"))
    is_portal = url == reverse("portal:home")
    return {"url": url, "label": label, "is_portal": is_portal, "backoffice": backoffice,
            # an own page outside the back office (我的志愿服务): the back office's top bar links to it
            "elsewhere": not is_portal and not url.startswith("/office/"),
            # a resident (or visitor) who reached a back-office address: the 403 page explains, kindly
            "not_for_office": path.startswith("/office/") and not backoffice}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The context, worked out once per request: the home page renders a template per card, and each
    render would otherwise rebuild the menu and count the unread notifications again."""
    memo: dict[str, Any] | None = getattr(request, "_kepu_navigation", None)
    if memo is None:
        memo = _navigation(request)
        request._kepu_navigation = memo  # type: ignore[attr-defined]
    return memo


def _navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "kepu_site_name": f"{settings.KEPU_CITY_NAME}科普工作平台",
        # The user's own page: the portal header links to it, error pages lead back to it.
        "kp_landing": SimpleLazyObject(lambda: _landing(user, request.path)),
    }
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
        sections.setdefault(item.section, {"title": item.section, "items": [], "order": item.section_order}
                            )["items"].append(entry)
        entries.append(entry)
    # The current page belongs to the entry with the longest matching address (…/orders/stats/ is
    # 服务统计, not 服务工单 at …/orders/).
    matching = [e for e in entries if request.path.startswith(e["url"])]
    if matching:
        max(matching, key=lambda e: len(e["url"]))["active"] = True
    _add_notes(user, sections)
    context["nav_sections"] = sorted(sections.values(), key=lambda section: section["order"])
    from kepu.notifications.services import unread_count

    context["unread_notifications"] = unread_count(user)
    return context


def _add_notes(user: Any, sections: dict[str, dict[str, Any]]) -> None:
    """A section the user holds a role for but may open nothing of says why, instead of vanishing."""
    roles = profile_of(user).roles
    for note in nav_notes():
        if note.section not in sections and roles & set(note.roles):
            sections[note.section] = {"title": note.section, "items": [], "note": note.text,
                                      "order": note.section_order}
