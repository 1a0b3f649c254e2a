"""Search-as-you-type choice fields: one mechanism for every form that picks among many rows.

A city has 10,000 units and 20,000 volunteers; a `<select>` listing them all makes a page slow and
useless. Instead a domain registers a `ChoiceSource` (in its manifest): the rows a user may choose
(always through `kepu.core.access`), how typed text narrows them and how a row is labelled. A form
field keeps its scoped queryset — so an unknown or out-of-scope id is refused as before — and gets a
`ChoiceSearch` widget: it renders only the chosen row(s) server-side, plus a search box that asks
`choice_search` (one URL, `backoffice:choices`) for at most `RESULTS` matches as the user types
(`kepu/static/kepu/choices.js`). The plan import's unit picker asks the same URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kepu.core import limits
from kepu.core.access import require
from kepu.core.permissions import get_action

RESULTS = 20
QUERY_MAX_LENGTH = 50
# A person typing asks once per pause (choices.js waits for one); 120 a minute is far above that and
# stops a script from walking every row of a source through the search.
SEARCH_LIMIT = limits.Limit("choices.user", 120, 60, "搜索过于频繁，请 {minutes} 分钟后再试")


@dataclass(frozen=True)
class ChoiceSource:
    """Where a choice field's options come from.

    `choices(user, context)` returns every row the user may choose in that context (e.g. the action
    the form is for, or the order being dispatched), scoped; it raises 403/404 for a context the user
    may not use. `search(rows, q)` narrows them by typed text, `label` and `detail` describe a row.
    """

    key: str
    noun: str  # "单位": the empty state reads “没有匹配的单位”
    choices: Callable[[Any, Mapping[str, str]], QuerySet[Any]]
    search: Callable[[QuerySet[Any], str], QuerySet[Any]]
    label: Callable[[Any], str] = str
    detail: Callable[[Any], str] = lambda row: ""
    prompt: str = ""  # the search box's placeholder, e.g. "输入单位名称、简称或别名"


_SOURCES: dict[str, ChoiceSource] = {}


def add_choice_source(source: ChoiceSource) -> None:
    _SOURCES[source.key] = source


def choice_source(key: str) -> ChoiceSource:
    try:
        return _SOURCES[key]
    except KeyError:
        raise Http404("没有这个选项来源") from None


def context_action(user: Any, context: Mapping[str, str], default: str) -> str:
    """The action a search is for (`?action=`): a known action the user holds (403 and an audit entry
    otherwise). Its data scope is the one the form's own queryset uses, so search and validation agree."""
    action = context.get("action") or default
    try:
        get_action(action)
    except LookupError:
        raise Http404("没有这个操作") from None
    require(user, action)
    return action


def context_id(context: Mapping[str, str], name: str) -> int:
    """A row id the search depends on (`?order=12`), or 404."""
    value = context.get(name, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise Http404("缺少或无效的参数")
    return int(value)


def matches(*, source: ChoiceSource, user: Any, context: Mapping[str, str], q: str) -> tuple[list[Any], bool]:
    """At most RESULTS rows matching `q` among the user's choices, and whether there were more."""
    rows = source.choices(user, context)
    if q:
        rows = source.search(rows, q)
    found = list(rows[: RESULTS + 1])
    return found[:RESULTS], len(found) > RESULTS


@login_required
def choice_search(request: HttpRequest, source: str) -> HttpResponse:
    """The options matching what the user typed, as an HTML fragment for the picker's result list; 429
    with a Chinese message (shown by the picker) past SEARCH_LIMIT."""
    try:
        limits.take(SEARCH_LIMIT, str(request.user.pk))
    except limits.LimitExceeded as exc:
        return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8",
                            headers={"Retry-After": str(exc.retry_after)})
    found_source = choice_source(source)
    context = {key: value for key, value in request.GET.items() if key != "q"}
    q = (request.GET.get("q") or "").strip()[:QUERY_MAX_LENGTH]
    rows, more = matches(source=found_source, user=request.user, context=context, q=q)
    options = [{"pk": row.pk, "label": found_source.label(row), "detail": found_source.detail(row)}
               for row in rows]
    return render(request, "core/_choice_results.html",
                  {"options": options, "more": more, "q": q, "noun": found_source.noun})


def search_url(source: str, context: Mapping[str, Any] | None = None) -> str:
    url = reverse("backoffice:choices", kwargs={"source": source})
    return f"{url}?{urlencode(context)}" if context else url


class ChoiceSearch(forms.Select):
    """A single choice: the chosen row (only it, never the whole list) plus a search box.

    The hidden `<select>` carries the chosen id, so the form posts an id without JavaScript too; the
    field's queryset still decides whether that id is acceptable.
    """

    template_name = "core/widgets/choice_search.html"

    def __init__(self, source: str, *, context: Mapping[str, Any] | None = None, attrs: Any = None) -> None:
        super().__init__(attrs)
        self.source = source
        self.context = dict(context or {})

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        copied = super().__deepcopy__(memo)
        copied.context = dict(self.context)
        return copied

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_search" if id_ else id_  # the label names the search box, the one control a user types in

    def chosen(self, value: Any) -> list[tuple[str, str]]:
        """(id, label) of the chosen rows: one query for the ids given, unknown or out-of-scope ids left out."""
        ids = [str(v) for v in (value or []) if str(v).isascii() and str(v).isdigit() and len(str(v)) <= 18]
        iterator = self.choices
        if not ids or not hasattr(iterator, "queryset"):
            return []
        field = iterator.field
        rows = {str(row.pk): row for row in iterator.queryset.filter(pk__in=ids)}
        return [(pk, field.label_from_instance(rows[pk])) for pk in dict.fromkeys(ids) if pk in rows]

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> list[Any]:
        return [(None, [self.create_option(name, pk, label, True, index, attrs=attrs)], index)
                for index, (pk, label) in enumerate(self.chosen(value))]

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        source = choice_source(self.source)
        context["widget"].update(search_url=search_url(self.source, self.context), noun=source.noun,
                                 prompt=source.prompt or f"输入文字搜索{source.noun}",
                                 multiple=self.allow_multiple_selected)
        return context


class ChoiceSearchMultiple(ChoiceSearch):
    """Several choices, shown as removable tags; the search adds more."""

    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)  # type: ignore[arg-type]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an empty multiple choice posts nothing, like a SelectMultiple
