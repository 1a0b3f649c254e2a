from django.urls import path

from kepu.literacy.views import instruments, results, waves

app_name = "literacy"

urlpatterns = [
    path("results/", results.results, name="results"),
    path("results/<id:wave_id>/", results.wave_results, name="wave_results"),
    path("results/<id:wave_id>/report.docx", results.wave_report, name="wave_report"),
    path("results/<id:wave_id>/estimates.xlsx", results.wave_export, name="wave_export"),
    path("trend/", results.trend, name="trend"),
    path("waves/", waves.wave_list, name="wave_list"),
    path("waves/new/", waves.wave_create, name="wave_create"),
    path("waves/<id:wave_id>/", waves.wave_detail, name="wave_detail"),
    path("waves/<id:wave_id>/edit/", waves.wave_edit, name="wave_edit"),
    path("waves/<id:wave_id>/upload/", waves.upload_create, name="upload_create"),
    path("waves/<id:wave_id>/uploads/<id:upload_id>/", waves.upload_mapping, name="upload_mapping"),
    path("waves/<id:wave_id>/uploads/<id:upload_id>/status/", waves.upload_status, name="upload_status"),
    path("waves/<id:wave_id>/margins/", waves.margins, name="margins"),
    path("waves/<id:wave_id>/margins/import/", waves.margin_import, name="margin_import"),
    path("waves/<id:wave_id>/margins/template/", waves.margin_template, name="margin_template"),
    path("waves/<id:wave_id>/runs/new/", waves.run_start, name="run_start"),
    path("runs/<id:run_id>/status/", waves.run_status, name="run_status"),
    path("runs/<id:run_id>/publish/", waves.run_publish, name="run_publish"),
    path("instruments/", instruments.instrument_list, name="instrument_list"),
    path("instruments/new/", instruments.instrument_create, name="instrument_create"),
    path("instruments/<id:instrument_id>/", instruments.instrument_detail, name="instrument_detail"),
    path("instruments/<id:instrument_id>/edit/", instruments.instrument_edit, name="instrument_edit"),
    path("instruments/<id:instrument_id>/items/import/", instruments.item_import, name="item_import"),
    path("instruments/<id:instrument_id>/items/export/", instruments.item_export, name="item_export"),
    path("rules/", instruments.ruleset_list, name="ruleset_list"),
    path("rules/new/", instruments.ruleset_create, name="ruleset_create"),
    path("rules/<id:rule_set_id>/edit/", instruments.ruleset_edit, name="ruleset_edit"),
    path("targets/", instruments.target_list, name="target_list"),
    path("targets/<id:target_id>/remove/", instruments.target_remove, name="target_remove"),
]
