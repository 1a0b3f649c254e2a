"""The public page “科学素质监测”: the published ratio with its interval, and the trend against targets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kepu.literacy import charts, selectors
from kepu.literacy.results import target_tuples, trend_series


def index(request: HttpRequest) -> HttpResponse:
    published = selectors.published_results()
    latest = next((r for r in published if r.ratio is not None), None)
    changes = selectors.method_changes([r.wave.pk for r in published])
    points, marks = trend_series(published, changes)
    targets = selectors.targets()
    levels = []
    if latest is not None:
        rows = {e.indicator: e for e in latest.run.estimates.filter(domain="", indicator__startswith="level_")}
        from kepu.literacy.standards import LEVEL_LABELS, LEVELS

        levels = [(LEVEL_LABELS[c], rows[f"level_{c}"]) for c in LEVELS if f"level_{c}" in rows]
    return render(request, "literacy/portal.html", {
        "page_title": "科学素质监测", "latest": latest, "levels": levels, "points": list(reversed(points)),
        "targets": [t for t in targets if latest is None or t.year >= latest.wave.year],
        "chart": charts.trend(points, target_tuples(targets), marks) if points else None,
    })
