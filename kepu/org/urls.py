from django.urls import path

from kepu.org.views import audit, units, users

app_name = "org"

urlpatterns = [
    path("units/", units.unit_list, name="unit_list"),
    path("units/new/", units.unit_create, name="unit_create"),
    path("units/export/", units.unit_export, name="unit_export"),
    path("units/import/", units.unit_import, name="unit_import"),
    path("units/<id:unit_id>/", units.unit_detail, name="unit_detail"),
    path("units/<id:unit_id>/edit/", units.unit_edit, name="unit_edit"),
    path("units/<id:unit_id>/aliases/", units.unit_alias_add, name="unit_alias_add"),
    path("units/<id:unit_id>/aliases/<id:alias_id>/remove/", units.unit_alias_remove, name="unit_alias_remove"),
    path("units/<id:unit_id>/deactivate/", units.unit_deactivate, name="unit_deactivate"),
    path("regions/", units.region_list, name="region_list"),
    path("regions/export/", units.region_export, name="region_export"),
    path("regions/import/", units.region_import, name="region_import"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/export/", users.user_export, name="user_export"),
    path("users/<id:user_id>/", users.user_detail, name="user_detail"),
    path("users/<id:user_id>/edit/", users.user_edit, name="user_edit"),
    path("users/<id:user_id>/unlock/", users.user_unlock, name="user_unlock"),
    path("users/<id:user_id>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("permissions/", audit.permission_list, name="permission_list"),
    path("permissions/export/", audit.permission_export, name="permission_export"),
]
