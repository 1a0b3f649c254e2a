"""Who may reach each organisation page and endpoint (C1)."""

from tests.authz import EVERYONE, OFFICE, STAFF, Endpoint, Page, PortalPage

UNIT_VIEWERS = ("admin", "office", "zhangpu", "jiaoyu", "expert")
AREA = ("admin", "office", "zhangpu")


def _edu(objs):  # the 教育局 unit: liaison jiaoyu's own unit, outside 张浦镇
    return {"unit_id": objs["unit:昆山市教育局"].pk}


def objects(cast):
    """An export of office's, built and stored: only its owner may download it."""
    from django.core.files.base import ContentFile

    from kepu.core.models import ExportJob, ExportStatus

    job = ExportJob.objects.create(user=cast["office"], action="org.unit.export", title="单位.xlsx",
                                   path="/office/org/units/export/", rows=6000, status=ExportStatus.DONE)
    job.file.save("单位.xlsx", ContentFile(b"PK-test"), save=True)
    return {"export:office": job}


def _units(action):
    return {"kwargs": lambda o: {"source": "units"}, "data": lambda o: {"action": action, "q": "局"},
            "label": f"单位 {action}"}


CASES = [
    Page("backoffice:choices", UNIT_VIEWERS, **_units("org.unit.view")),
    Page("backoffice:choices", ("office",), **_units("plans.task.change")),
    Page("backoffice:choices", ("office",), **_units("plans.plan.import")),
    Page("backoffice:choices", ("admin", "office", "jiaoyu"), **_units("service_orders.item.change")),
    Page("backoffice:choices", AREA, **_units("volunteers.team.change")),
    Page("backoffice:home", STAFF),
    Page("backoffice:exports", STAFF),
    Page("backoffice:reviews", ("expert",)),
    Page("backoffice:export_download", ("office",), kwargs=lambda o: {"job_id": o["export:office"].pk}),
    Page("org:unit_list", UNIT_VIEWERS),
    Page("org:unit_export", UNIT_VIEWERS),
    Page("org:unit_import", OFFICE),
    Page("org:unit_create", AREA),
    Page("org:unit_create", AREA, method="post", label="张浦镇的新单位",
         data=lambda o: {"name": "张浦镇测试单位", "kind": "other", "region": o["region:320583106000"].pk, "is_member": "False",
                         "sort_order": 100}),
    Page("org:unit_detail", ("admin", "office", "jiaoyu"), kwargs=_edu, label="教育局"),
    Page("org:unit_detail", AREA, kwargs=lambda o: {"unit_id": o["unit:张浦镇科协"].pk}, label="张浦镇科协"),
    Page("org:unit_edit", OFFICE, kwargs=_edu),
    Page("org:unit_edit", OFFICE, method="post", kwargs=_edu,
         data=lambda o: {"name": "昆山市教育局", "short_name": "教育局改", "kind": "party_government",
                         "region": o["region:320583000000"].pk, "sort_order": 5, "is_member": "True"}),
    Page("org:unit_alias_add", OFFICE, method="post", kwargs=_edu, data=lambda o: {"name": "教育局（测试别名）"}),
    Page("org:unit_alias_remove", OFFICE, method="post",
         kwargs=lambda o: {"unit_id": o["unit:昆山市人力资源和社会保障局"].pk,
                           "alias_id": o["alias:市人社局"].pk}),
    Page("org:unit_deactivate", OFFICE, method="post", kwargs=_edu, data=lambda o: {"reason": "测试停用"}),
    Page("org:unit_deactivate", AREA, method="post", label="张浦镇科协",
         kwargs=lambda o: {"unit_id": o["unit:张浦镇科协"].pk}, data=lambda o: {"reason": "测试停用"}),
    Page("org:region_list", AREA),
    Page("org:region_export", AREA),
    Page("org:region_import", OFFICE),
    Page("org:user_list", ("admin", "office", "zhangpu", "jiaoyu")),
    Page("org:user_export", OFFICE),
    Page("org:user_create", AREA),
    Page("org:user_detail", ("admin", "office", "jiaoyu"), kwargs=lambda o: {"user_id": o["user:jiaoyu"].pk}),
    Page("org:user_edit", OFFICE, kwargs=lambda o: {"user_id": o["user:jiaoyu"].pk}),
    Page("org:user_unlock", OFFICE, method="post", kwargs=lambda o: {"user_id": o["user:jiaoyu"].pk}),
    Page("org:user_deactivate", OFFICE, method="post", kwargs=lambda o: {"user_id": o["user:nongye"].pk},
         data=lambda o: {"reason": "调离"}),
    Page("org:audit_list", STAFF),
    Page("org:audit_export", OFFICE),
    Page("org:permission_list", OFFICE),
    Page("org:permission_export", OFFICE),
    Page("account:password", EVERYONE),
    Page("account:security", EVERYONE),
    Endpoint("get", "/api/v1/health", EVERYONE, public=True),
    Endpoint("get", "/api/v1/me", EVERYONE),
    Endpoint("get", "/api/v1/audit", STAFF),
    Endpoint("get", "/api/v1/org/regions", AREA),
    Endpoint("get", "/api/v1/org/units", UNIT_VIEWERS),
    Endpoint("get", "/api/v1/org/units/{unit_id}", ("admin", "office", "jiaoyu"), params=_edu),
    Endpoint("post", "/api/v1/org/units", AREA,
             json=lambda o: {"name": "张浦镇接口单位", "region_code": "320583106000", "kind": "other"}),
    Endpoint("patch", "/api/v1/org/units/{unit_id}", OFFICE, params=_edu, json=lambda o: {"short_name": "教育"}),
    Endpoint("get", "/api/v1/org/users", ("admin", "office", "zhangpu", "jiaoyu")),
    # The residents' portal: open to everyone, signed in or not.
    PortalPage("portal:home", EVERYONE),
]
