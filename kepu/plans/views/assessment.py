"""Assessment pages: rubrics, their items, the scores per unit, adjusting, withdrawing, publishing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can
from kepu.core.errors import KepuError, ValidationFailed
from kepu.core.views import action_required, refused_page, typed_refusal
from kepu.plans import selectors
from kepu.plans.forms import AdjustForm, CorrectionForm, ReasonForm, RubricForm, RubricItemForm
from kepu.plans.models import Assessment, AssessmentRubric, RubricItem, RubricStatus
from kepu.plans.services import assessment as scoring
from kepu.plans.views.common import first_error, form_error


@action_required("plans.assessment.view")
def rubric_list(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/rubric_list.html", {
        "page_title": "目标管理考核", "page_subtitle": "年度考核细则、成员单位得分与等次",
        "rubrics": selectors.rubric_list(user=request.user),
        "can_manage": can(request.user, "plans.assessment.manage")})


@action_required("plans.assessment.manage")
def rubric_create(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(user=request.user, include_archived=False)
    form = RubricForm(request.POST or None, plans=plans, initial={"plan": plans.first()})
    if request.method == "POST" and form.is_valid():
        try:
            rubric = scoring.rubric_create(actor=request.user, **form.cleaned_data)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, "已新建考核细则，并预置了常用考核项目，可按需调整。")
            return redirect("plans:rubric_detail", rubric_id=rubric.pk)
    return render(request, "plans/rubric_form.html", {"page_title": "新建考核细则", "form": form})


@action_required("plans.assessment.view")
def rubric_detail(request: HttpRequest, rubric_id: int, item_form: RubricItemForm | None = None) -> HttpResponse:
    """The office works on the live scores; everyone else reads the latest published version. `item_form`
    is a refused new item, shown again as typed with its errors under its fields."""
    rubric = selectors.rubric_detail(user=request.user, rubric_id=rubric_id)
    items = list(rubric.items.all())
    manage = can(request.user, "plans.assessment.manage")
    publication = selectors.publication_of(rubric)
    if manage:
        scores: list[Any] = list(selectors.assessment_list(user=request.user, rubric=rubric, include_withdrawn=True))
        for score in scores:
            score.cells, score.detail_id = _live_cells(score, items), score.pk
    else:
        scores = list(selectors.published_scores(publication, user=request.user)) if publication else []
        for score in scores:
            score.cells, score.detail_id = score.items, score.assessment_id
    return render(request, "plans/rubric_detail.html", {
        "page_title": rubric.title, "rubric": rubric, "items": items, "scores": scores,
        "full": sum(i.points for i in items), "can_manage": manage, "publication": publication,
        "versions": selectors.publication_list(rubric) if manage else [],
        "draft": rubric.status == RubricStatus.DRAFT, "item_form": item_form or RubricItemForm(),
        "typed": typed_refusal(request)})


def _live_cells(score: Assessment, items: list[RubricItem]) -> list[dict[str, Any] | None]:
    """A working score's cells in the shape of a published one's (see services.assessment._frozen_item)."""
    by_item = {s.item_id: s for s in score.item_scores.all()}
    cells: list[dict[str, Any] | None] = []
    for item in items:
        cell = by_item.get(item.pk)
        cells.append(None if cell is None else {
            "points": cell.points, "basis": cell.basis, "missing": bool(item.auto_metric) and cell.rate is None,
            "pending": not item.auto_metric and cell.scored_at is None})
    return cells


@require_POST
@action_required("plans.assessment.manage")
def rubric_item_add(request: HttpRequest, rubric_id: int) -> HttpResponse:
    rubric = access_object(AssessmentRubric.objects.all(), request.user, "plans.assessment.manage", pk=rubric_id)
    form = RubricItemForm(request.POST)
    if form.is_valid():
        try:
            scoring.item_save(actor=request.user, rubric=rubric, **form.cleaned_data)
        except ValidationFailed as exc:
            form_error(request, form, exc)
        except KepuError as exc:
            form_error(request, None, exc)
            return redirect("plans:rubric_detail", rubric_id=rubric.pk)
        else:
            messages.success(request, "已添加考核项目。")
            return redirect("plans:rubric_detail", rubric_id=rubric.pk)
    return rubric_detail(request, rubric.pk, item_form=form)  # the item as typed, the errors under its fields


@require_POST
@action_required("plans.assessment.manage")
def rubric_compute(request: HttpRequest, rubric_id: int) -> HttpResponse:
    rubric = access_object(AssessmentRubric.objects.select_related("plan"), request.user, "plans.assessment.manage",
                           pk=rubric_id)
    try:
        count = scoring.rubric_compute(actor=request.user, rubric=rubric)
        messages.success(request, f"已按台账数据为 {count} 个成员单位计分；人工评分项目请逐一评定。")
    except KepuError as exc:
        form_error(request, None, exc)
    return redirect("plans:rubric_detail", rubric_id=rubric.pk)


@require_POST
@action_required("plans.assessment.manage")
def rubric_publish(request: HttpRequest, rubric_id: int) -> HttpResponse:
    rubric = access_object(AssessmentRubric.objects.all(), request.user, "plans.assessment.manage", pk=rubric_id)
    try:
        scoring.rubric_publish(actor=request.user, rubric=rubric)
        messages.success(request, "考核结果已发布（第1版），并在公众门户公开。")
    except KepuError as exc:
        form_error(request, None, exc)
    return redirect("plans:rubric_detail", rubric_id=rubric.pk)


@require_POST
@action_required("plans.assessment.manage")
def rubric_correct(request: HttpRequest, rubric_id: int) -> HttpResponse:
    rubric = access_object(AssessmentRubric.objects.all(), request.user, "plans.assessment.manage", pk=rubric_id)
    form = CorrectionForm(request.POST)
    page = lambda: rubric_detail(request, rubric.pk)  # noqa: E731 — the page the form sits on
    if not form.is_valid():
        return refused_page(request, page, field="reason", message=form.errors["reason"][0])
    try:
        publication = scoring.rubric_correct(actor=request.user, rubric=rubric, reason=form.cleaned_data["reason"])
    except ValidationFailed as exc:
        return refused_page(request, page, field="reason", message=exc.message)
    except KepuError as exc:
        form_error(request, None, exc)
    else:
        messages.success(request, f"已发布更正（第{publication.number}版），公众门户显示新版本，原版本仍可查阅。")
    return redirect("plans:rubric_detail", rubric_id=rubric.pk)


@action_required("plans.assessment.view")
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = selectors.assessment_detail(user=request.user, assessment_id=assessment_id)
    manage = can(request.user, "plans.assessment.manage")
    scores = {s.item_id: s for s in assessment.item_scores.select_related("scored_by")}
    rows = [{"item": item, "score": scores.get(item.pk),
             "form": AdjustForm(initial={"item": item.pk, "points": getattr(scores.get(item.pk), "points", 0),
                                         "note": getattr(scores.get(item.pk), "note", "")}, prefix=f"i{item.pk}"),
             "note_name": f"i{item.pk}-note"}
            for item in assessment.rubric.items.all()]
    return render(request, "plans/assessment_detail.html", {
        "page_title": f"{assessment.unit.name} · {assessment.rubric.title}", "assessment": assessment, "rows": rows,
        # Readers see the total, grade and rank as published; the office sees the working figures.
        "figures": assessment if manage else selectors.published_score_of(assessment),
        "can_adjust": manage and scoring.can_adjust(assessment),
        "can_withdraw": manage and not assessment.is_withdrawn, "reason_form": ReasonForm(),
        "typed": typed_refusal(request)})


@require_POST
@action_required("plans.assessment.manage")
def assessment_adjust(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_object(Assessment.objects.select_related("rubric"), request.user, "plans.assessment.manage",
                               pk=assessment_id)
    prefix = request.POST.get("prefix") or None
    form = AdjustForm(request.POST, prefix=prefix)
    page = lambda: assessment_detail(request, assessment.pk)  # noqa: E731 — the page the form sits on
    note = f"{prefix}-note" if prefix else "note"
    if not form.is_valid():
        return refused_page(request, page, field=note, message=first_error(form))
    item = RubricItem.objects.filter(pk=form.cleaned_data["item"], rubric=assessment.rubric).first()
    if item is None:
        messages.error(request, "考核项目不存在。")
        return redirect("plans:assessment_detail", assessment_id=assessment.pk)
    try:
        scoring.score_adjust(actor=request.user, assessment=assessment, item=item, points=form.cleaned_data["points"],
                             note=form.cleaned_data["note"])
    except ValidationFailed as exc:  # the row again with the note as typed, the error under it
        return refused_page(request, page, field=note, message=exc.message)
    except KepuError as exc:
        form_error(request, None, exc)
    else:
        messages.success(request, f"已评定“{item.title}”。")
    return redirect("plans:assessment_detail", assessment_id=assessment.pk)


@require_POST
@action_required("plans.assessment.manage")
def assessment_withdraw(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_object(Assessment.objects.select_related("rubric"), request.user, "plans.assessment.manage",
                               pk=assessment_id)
    form = ReasonForm(request.POST)
    page = lambda: assessment_detail(request, assessment.pk)  # noqa: E731 — the page the form sits on
    if not form.is_valid():
        return refused_page(request, page, field="reason", message=form.errors["reason"][0])
    try:
        scoring.assessment_withdraw(actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"])
    except ValidationFailed as exc:
        return refused_page(request, page, field="reason", message=exc.message)
    except KepuError as exc:
        form_error(request, None, exc)
    else:
        messages.success(request, "已撤销该考核结果（记录保留）。")
    return redirect("plans:assessment_detail", assessment_id=assessment.pk)
