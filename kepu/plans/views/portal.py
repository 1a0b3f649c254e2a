"""What the public may see of the plan ledger: summaries of published plans and published assessment
results — nothing else of the ledger."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kepu.plans import selectors


def home(request: HttpRequest) -> HttpResponse:
    plans = selectors.published_plans().annotate(task_count=Count("tasks", distinct=True),
                                                 section_count=Count("sections", distinct=True))
    return render(request, "plans/portal_home.html", {
        "page_title": "全民科学素质行动计划", "plans": plans, "rubrics": selectors.published_results()})


def plan_summary(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.published_plans().filter(pk=plan_id).first()
    if plan is None:
        raise Http404("该方案未公开")
    sections = plan.sections.annotate(task_count=Count("tasks")).order_by("order")
    return render(request, "plans/portal_plan.html", {
        "page_title": plan.title, "plan": plan, "sections": sections,
        "goals": plan.indicators.filter(task=None).order_by("order")})


def results(request: HttpRequest, rubric_id: int, number: int | None = None) -> HttpResponse:
    """A published version of the results (the latest unless numbered), read only from its frozen copy."""
    rubric = selectors.published_results(rubric_id).first()
    publication = selectors.publication_of(rubric, number) if rubric else None
    if rubric is None or publication is None:
        raise Http404("考核结果未发布")
    versions = list(selectors.publication_list(rubric))
    return render(request, "plans/portal_results.html", {
        "page_title": f"{rubric.title}（第{publication.number}版）", "rubric": rubric, "publication": publication,
        "scores": selectors.published_scores(publication), "versions": versions,
        "is_latest": publication.number == versions[0].number})
