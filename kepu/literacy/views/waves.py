"""Survey waves: list, create/edit, data upload with the column-mapping step, margins, runs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can
from kepu.core.errors import ImportRejected, KepuError, ValidationFailed
from kepu.core.views import action_required, file_response, paginate
from kepu.literacy import imports, selectors, services, sheets
from kepu.literacy import standards as std
from kepu.literacy.datafiles import FORMAT_LABELS
from kepu.literacy.forms import DataFileForm, ExcelForm, MappingForm, MarginForm, WaveForm
from kepu.literacy.models import DataUpload, EstimationRun, SurveyWave, UploadStatus

WAVE_FIELDS = ("name", "year", "region", "target_population", "instrument", "rule_set", "lonely_psu", "ci_method",
               "calibration", "variance_method", "max_cv", "min_n", "notes")


def _regions(user: Any) -> Any:
    from kepu.org.public import Region, RegionLevel

    return Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.DISTRICT], is_active=True).order_by("path")


@action_required("literacy.wave.view")
def wave_list(request: HttpRequest) -> HttpResponse:
    return render(request, "literacy/wave_list.html", {
        "page_title": "调查轮次", "page_subtitle": "每一轮公民科学素质抽样调查：测评工具、评分规则、抽样设计、样本数据与测算",
        **paginate(request, selectors.wave_list(user=request.user)),
        "can_manage": can(request.user, "literacy.wave.manage"),
    })


@action_required("literacy.wave.manage")
def wave_create(request: HttpRequest) -> HttpResponse:
    form = WaveForm(request.POST or None, regions=_regions(request.user))
    if not request.POST:
        city = form.fields["region"].queryset.first()  # type: ignore[attr-defined]
        form.initial["region"] = city.pk if city else None
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已新建调查轮次“{wave.name}”，下一步请上传样本数据。")
            return redirect("literacy:upload_create", wave_id=wave.pk)
    return render(request, "literacy/wave_form.html", {"page_title": "新建调查轮次", "form": form})


@action_required("literacy.wave.manage")
def wave_edit(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id, action="literacy.wave.manage")
    form = WaveForm(request.POST or None, regions=_regions(request.user),
                    initial={f: getattr(wave, f) for f in WAVE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_update(actor=request.user, wave=wave, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect("literacy:wave_detail", wave_id=wave.pk)
    return render(request, "literacy/wave_form.html", {"page_title": f"编辑：{wave.name}", "form": form, "wave": wave})


@action_required("literacy.wave.view")
def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id)
    margins = selectors.wave_margins(wave)
    return render(request, "literacy/wave_detail.html", {
        "page_title": wave.name, "page_subtitle": f"{wave.region.name} · {wave.year}年 · {wave.target_population}",
        "wave": wave, "runs": selectors.wave_runs(wave), "uploads": selectors.wave_uploads(wave),
        "margins": [(std.DOMAIN_LABELS[v], len(rows), sum(m.total for m in rows)) for v, rows in margins.items()],
        "change": selectors.method_change(wave),
        "domains": [std.DOMAIN_LABELS.get(d, d) for d in wave.domains],
        "labels": {**dict(std.CI_METHODS), **dict(std.VARIANCE_METHODS), **dict(std.LONELY_PSU_RULES),
                   **dict(std.CALIBRATIONS)},
        "can_manage": can(request.user, "literacy.wave.manage"),
        "can_run": can(request.user, "literacy.run.start"),
        "can_margins": can(request.user, "literacy.margin.manage"),
        "can_publish": can(request.user, "literacy.run.publish"),
    })


# ---------------------------------------------------------------- data upload and mapping

@action_required("literacy.wave.manage")
def upload_create(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id, action="literacy.wave.manage")
    form = DataFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = imports.upload_create(actor=request.user, wave=wave, file=form.cleaned_data["file"])
        except KepuError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("literacy:upload_mapping", wave_id=wave.pk, upload_id=upload.pk)
    return render(request, "literacy/upload_form.html", {
        "page_title": "上传样本数据", "wave": wave, "form": form, "items": wave.instrument.items.count(),
        "roles": [*std.DESIGN_ROLES, *std.DOMAIN_ROLES],
    })


def _mapping_form(request: HttpRequest, upload: DataUpload) -> MappingForm:
    codes = list(upload.wave.instrument.items.order_by("order", "code").values_list("code", flat=True))
    data = request.POST if request.method == "POST" else None
    return MappingForm(data, columns=upload.columns, item_codes=codes, initial=upload.mapping)


@action_required("literacy.wave.manage")
def upload_mapping(request: HttpRequest, wave_id: int, upload_id: int) -> HttpResponse:
    """Confirm or correct the proposed mapping; submitting validates every row in the background."""
    upload = selectors.upload_detail(user=request.user, wave_id=wave_id, upload_id=upload_id)
    form = _mapping_form(request, upload)
    if request.method == "POST" and form.is_valid():
        try:
            upload = imports.upload_confirm(actor=request.user, upload=upload, mapping=form.cleaned_data)
        except KepuError as exc:
            messages.error(request, exc.message)
        if request.htmx:
            return render(request, "literacy/upload_status.html", {"upload": upload, "wave": upload.wave})
        return redirect("literacy:upload_mapping", wave_id=wave_id, upload_id=upload.pk)
    mapped_items = sum(1 for f in form.item_fields() if f.value())
    return render(request, "literacy/upload_mapping.html", {
        "page_title": "核对列对应", "upload": upload, "wave": upload.wave, "form": form,
        "format_label": FORMAT_LABELS.get(upload.file_format, upload.file_format),
        "mapped_items": mapped_items, "item_total": len(form.item_codes),
        "editable": upload.status in (UploadStatus.UPLOADED, UploadStatus.REJECTED),
    })


@action_required("literacy.wave.manage")
def upload_status(request: HttpRequest, wave_id: int, upload_id: int) -> HttpResponse:
    upload = selectors.upload_detail(user=request.user, wave_id=wave_id, upload_id=upload_id)
    return render(request, "literacy/upload_status.html", {"upload": upload, "wave": upload.wave})


# ---------------------------------------------------------------- population margins

def _margin_levels(wave: SurveyWave) -> dict[str, list[tuple[str, str]]]:
    from kepu.org.public import Region

    towns = Region.objects.filter(parent=wave.region_id, is_active=True).order_by("code")
    roles = {r.code: r for r in std.DOMAIN_ROLES}
    levels = {"district": [(t.code, t.name) for t in towns]}
    for variable in ("urban_rural", "sex", "age_band", "education"):
        levels[variable] = [(v, v) for v in roles[variable].order]
    return levels


@action_required("literacy.margin.manage")
def margins(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id, action="literacy.margin.manage")
    current = {f"m:{m.variable}:{m.level}": m.total for m in wave.margins.all()}
    form = MarginForm(request.POST or None, levels=_margin_levels(wave), initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.margins_replace(actor=request.user, wave=wave, margins=form.margins(), source="")
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存人口控制数 {count} 项。")
            return redirect("literacy:wave_detail", wave_id=wave.pk)
    return render(request, "literacy/margins.html", {
        "page_title": "人口控制数", "page_subtitle": "用于将样本权重校准（耙权）到人口普查的性别、年龄段、城乡和区域分布",
        "wave": wave, "form": form, "import_form": ExcelForm(),
    })


@action_required("literacy.margin.manage")
def margin_import(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id, action="literacy.margin.manage")
    form = ExcelForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = sheets.margins_import(actor=request.user, wave=wave, data=form.cleaned_data["file"].read())
        except ImportRejected as exc:
            errors = exc.errors
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{summary}。")
            return redirect("literacy:wave_detail", wave_id=wave.pk)
    return render(request, "literacy/margin_import.html", {"page_title": "导入人口控制数", "wave": wave, "form": form,
                                                           "errors": errors})


@action_required("literacy.margin.manage")
def margin_template(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id, action="literacy.margin.manage")
    return file_response(sheets.margin_template(wave), "人口控制数模板.xlsx")


# ---------------------------------------------------------------- estimation runs

@require_POST
@action_required("literacy.run.start")
def run_start(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id, action="literacy.run.start")
    try:
        run = services.run_start(actor=request.user, wave=wave)
    except KepuError as exc:
        messages.error(request, exc.message)
        return redirect("literacy:wave_detail", wave_id=wave.pk)
    if request.htmx:
        return render(request, "literacy/run_status.html", {"run": run, "can_publish": can(request.user, "literacy.run.publish")})
    messages.success(request, "已开始测算，完成后可在本页查看结果。")
    return redirect("literacy:wave_detail", wave_id=wave.pk)


@action_required("literacy.wave.view")
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_detail(user=request.user, run_id=run_id)
    return render(request, "literacy/run_status.html", {"run": run,
                                                        "can_publish": can(request.user, "literacy.run.publish")})


@require_POST
@action_required("literacy.run.publish")
def run_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access_object(EstimationRun.objects.select_related("wave"), request.user, "literacy.run.publish", pk=run_id)
    try:
        services.run_publish(actor=request.user, run=run)
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发布“{run.wave.name}”的测算结果；门户与纲要指标将显示此结果。")
    return redirect("literacy:wave_results", wave_id=run.wave_id)
