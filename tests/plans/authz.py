"""Who may reach each plan-ledger page and endpoint (C2).

The rows come from the demo ledger (kepu/plans/demo.py): the Kunshan plan with task 三（一）1.
“加强校内青少年科学教育” led by 市教育局 (liaison jiaoyu's unit, nowhere near 张浦镇), task 四（四）2.
“健全基层科普服务体系” where 张浦镇 and 教育局 take part, 教育局's report awaiting review, and the
assessment being scored. The system administrator runs accounts, not the ledger: no plans page for admin.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from tests.authz import EVERYONE, Endpoint, Page, PortalPage

OFFICE = ("office",)
SEE = ("office", "zhangpu", "jiaoyu")  # the ledger: office, area administrator, liaison
EDU = ("office", "jiaoyu")  # rows of 教育局
LIAISON = ("jiaoyu",)

SMALL_PLAN = """授权测试市2026年全民科学素质工作要点
一、青少年科学素质提升
1.开展科技节活动。（牵头单位：市教育局；配合单位：市科协）
2.建设科学教育示范学校。（责任单位：市教育局、市科技局）
"""
_parsed: dict[str, Any] = {}


def _draft() -> Any:
    from kepu.plans.models import PlanImportDraft
    from kepu.plans.services import importing

    if not _parsed:
        _parsed.update(importing.propose(text=SMALL_PLAN)[1])
    return PlanImportDraft.objects.create(filename="授权测试.txt", source_sha256="authz", text=SMALL_PLAN,
                                          parsed=copy.deepcopy(_parsed))


def _evidence(report: Any) -> Any:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from kepu.plans.models import ReportEvidence

    name = "plans/evidence/tests/authz-evidence.txt"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile("佐证材料（测试）".encode()))
    return ReportEvidence.objects.create(report=report, file=name, original_name="佐证材料.txt", size=12)


def objects(cast: dict[str, Any]) -> dict[str, Any]:
    from django.utils import timezone

    from kepu.org.models import Unit
    from kepu.plans.demo import TEXT
    from kepu.plans.models import (
        Assessment,
        AssessmentRubric,
        Indicator,
        Plan,
        ProgressReport,
        ReportingPeriod,
        SupervisionOrder,
        Task,
    )
    from kepu.plans.services.importing import text_digest

    plan = Plan.objects.get(source_sha256=text_digest(TEXT))
    edu = Unit.objects.get(name="昆山市教育局")
    task = Task.objects.get(plan=plan, title="加强校内青少年科学教育")
    submitted = ProgressReport.objects.get(task__plan=plan, unit=edu, status="submitted")
    rubric = AssessmentRubric.objects.get(plan=plan)
    today = timezone.localdate()
    return {
        "plan": plan, "task:edu": task,
        "task:zhangpu": Task.objects.get(plan=plan, title="健全基层科普服务体系"),
        "period:current": ReportingPeriod.objects.get(plan=plan, start__lte=today, end__gte=today),
        "report:submitted": submitted, "evidence": _evidence(submitted),
        "indicator:edu": Indicator.objects.get(task=task),
        "order:edu": SupervisionOrder.objects.create(number="督办〔授权测试〕1号", task=task, unit=edu,
                                                     requirement="请报送进展。",
                                                     due_date=today + datetime.timedelta(days=7)),
        "rubric": rubric, "assessment:edu": Assessment.objects.get(rubric=rubric, unit=edu),
        "draft": _draft(),
    }


def _task(objs: dict[str, Any]) -> dict[str, Any]:
    return {"task_id": objs["task:edu"].pk}


def _plan(objs: dict[str, Any]) -> dict[str, Any]:
    return {"plan_id": objs["plan"].pk}


def _report(objs: dict[str, Any]) -> dict[str, Any]:
    return {"report_id": objs["report:submitted"].pk}


def _order(objs: dict[str, Any]) -> dict[str, Any]:
    return {"order_id": objs["order:edu"].pk}


def _draft_id(objs: dict[str, Any]) -> dict[str, Any]:
    return {"draft_id": objs["draft"].pk}


def _indicator(objs: dict[str, Any]) -> dict[str, Any]:
    return {"indicator_id": objs["indicator:edu"].pk}


def _rubric(objs: dict[str, Any]) -> dict[str, Any]:
    return {"rubric_id": objs["rubric"].pk}


def _assessment(objs: dict[str, Any]) -> dict[str, Any]:
    return {"assessment_id": objs["assessment:edu"].pk}


def _report_form(objs: dict[str, Any]) -> dict[str, Any]:
    return {"task_id": objs["task:edu"].pk, "period_id": objs["period:current"].pk}


def _in_a_week() -> str:
    return (datetime.date.today() + datetime.timedelta(days=7)).isoformat()


CASES = [
    Page("plans:dashboard", SEE),
    Page("plans:task_list", SEE),
    Page("plans:ledger_export", SEE),
    Page("plans:ledger_import", OFFICE),
    Page("plans:task_detail", EDU, kwargs=_task, label="教育局牵头"),
    Page("plans:task_detail", SEE, kwargs=lambda o: {"task_id": o["task:zhangpu"].pk}, label="张浦镇参与"),
    Page("plans:task_edit", OFFICE, kwargs=_task),
    Page("plans:task_edit", OFFICE, method="post", kwargs=_task, label="保存",
         data=lambda o: {"number": "1.", "title": "加强校内青少年科学教育（改）",
                         "lead_units": [o["unit:昆山市教育局"].pk], "participating_units": [],
                         "deadline": "2026-12-31"}),
    Page("plans:order_create", OFFICE, kwargs=_task),
    Page("plans:order_create", OFFICE, method="post", kwargs=_task, label="签发",
         data=lambda o: {"unit": o["unit:昆山市教育局"].pk, "requirement": "请加快推进。", "due_date": _in_a_week()}),
    Page("plans:report_form", LIAISON, kwargs=_report_form),
    Page("plans:report_form", LIAISON, method="post", kwargs=_report_form, label="保存草稿",
         data=lambda o: {"progress": 97, "text": "本季度推进情况。", "problems": "", "save": "1"}),
    Page("plans:bulletin", OFFICE),
    Page("plans:plan_list", SEE),
    Page("plans:plan_detail", SEE, kwargs=_plan),
    Page("plans:plan_edit", OFFICE, kwargs=_plan),
    Page("plans:plan_rules", OFFICE, kwargs=_plan),
    Page("plans:plan_rules", OFFICE, method="post", kwargs=_plan, label="保存",
         data=lambda o: {"yellow_days_before_deadline": 20, "yellow_lag_points": 10, "red_lag_points": 25,
                         "red_when_overdue": "on", "red_late_report_days": 10, "remind_days_before": 7,
                         "escalate_after_days": 3, "escalation_repeat_days": 7}),
    Page("plans:plan_recompute", OFFICE, method="post", kwargs=_plan),
    Page("plans:import_start", OFFICE),
    Page("plans:import_start", OFFICE, method="post", label="粘贴文本", data=lambda o: {"text": SMALL_PLAN}),
    Page("plans:import_review", OFFICE, kwargs=_draft_id),
    Page("plans:import_settings", OFFICE, method="post", kwargs=_draft_id,
         data=lambda o: {"title": "授权测试方案", "kind": "annual", "start_year": 2026, "end_year": 2026,
                         "reporting_cycle": "quarter", "reporting_from": "2026-01-01"}),
    Page("plans:import_section", OFFICE, kwargs=lambda o: {"draft_id": o["draft"].pk, "index": 0}),
    Page("backoffice:choices", OFFICE, kwargs=lambda o: {"source": "order-units"},
         data=lambda o: {"task": o["task:edu"].pk}, label="督办单承办单位"),
    Page("plans:import_section_units", OFFICE, method="post", kwargs=lambda o: {"draft_id": o["draft"].pk, "index": 0},
         data=lambda o: {"lead_units": "市教育局"}),
    Page("plans:import_map_unit", OFFICE, method="post", kwargs=_draft_id,
         data=lambda o: {"written": "市教委（测试）", "unit": o["unit:昆山市教育局"].pk}),
    Page("plans:import_create_unit", OFFICE, method="post", kwargs=_draft_id,
         data=lambda o: {"written": "市测试中心", "name": "昆山市测试中心", "region": o["region:320583000000"].pk,
                         "kind": "public_institution", "is_member": "False"}),
    Page("plans:import_commit", OFFICE, method="post", kwargs=_draft_id),
    Page("plans:import_discard", OFFICE, method="post", kwargs=_draft_id),
    Page("plans:report_list", SEE),
    Page("plans:report_detail", EDU, kwargs=_report),
    Page("plans:report_approve", OFFICE, method="post", kwargs=_report),
    Page("plans:report_return", OFFICE, method="post", kwargs=_report, data=lambda o: {"reason": "佐证不足"}),
    Page("plans:evidence_download", EDU, kwargs=lambda o: {"evidence_id": o["evidence"].pk}),
    Page("plans:order_list", SEE),
    Page("plans:order_detail", EDU, kwargs=_order),
    Page("plans:order_print", EDU, kwargs=_order),
    Page("plans:order_docx", EDU, kwargs=_order),
    Page("plans:order_sign", LIAISON, method="post", kwargs=_order),
    Page("plans:order_answer", LIAISON, method="post", kwargs=_order, data=lambda o: {"answer": "已整改。"}),
    Page("plans:order_reject", OFFICE, method="post", kwargs=_order, data=lambda o: {"reason": "回复不完整"}),
    Page("plans:order_close", OFFICE, method="post", kwargs=_order, data=lambda o: {"note": "同意办结"}),
    Page("plans:indicator_list", SEE),
    Page("plans:indicator_detail", EDU, kwargs=_indicator),
    Page("plans:indicator_edit", OFFICE, method="post", kwargs=_indicator,
         data=lambda o: {"name": "科学教育综合示范学校", "unit_of_measure": "所", "target": 40, "target_year": 2025,
                         "direction": "ge", "source": "reports", "aggregation": "latest"}),
    Page("plans:indicator_value_add", OFFICE, method="post", kwargs=_indicator,
         data=lambda o: {"year": 2026, "value": 35}),
    Page("plans:rubric_list", SEE),
    Page("plans:rubric_create", OFFICE),
    Page("plans:rubric_detail", SEE, kwargs=_rubric),
    Page("plans:rubric_item_add", OFFICE, method="post", kwargs=_rubric,
         data=lambda o: {"title": "宣传报道", "points": 5, "auto_metric": ""}),
    Page("plans:rubric_compute", OFFICE, method="post", kwargs=_rubric),
    Page("plans:rubric_publish", OFFICE, method="post", kwargs=_rubric),
    Page("plans:rubric_correct", OFFICE, method="post", kwargs=_rubric, data=lambda o: {"reason": "名次计算有误"}),
    Page("plans:assessment_detail", OFFICE, kwargs=_assessment),
    Page("plans:assessment_adjust", OFFICE, method="post", kwargs=_assessment,
         data=lambda o: {"item": o["rubric"].items.get(auto_metric="").pk, "points": 18, "note": "依据工作总结"}),
    Page("plans:assessment_withdraw", OFFICE, method="post", kwargs=_assessment, data=lambda o: {"reason": "数据有误"}),
    Endpoint("get", "/api/v1/plans/plans", SEE),
    Endpoint("get", "/api/v1/plans/tasks", SEE),
    Endpoint("get", "/api/v1/plans/tasks/{task_id}", EDU, params=_task),
    Endpoint("get", "/api/v1/plans/indicators", SEE),
    Endpoint("get", "/api/v1/plans/reports", SEE),
    Endpoint("post", "/api/v1/plans/reports", LIAISON,
             json=lambda o: {"task_id": o["task:edu"].pk, "period_id": o["period:current"].pk, "progress": 97,
                             "text": "本季度已完成示范学校评审。", "submit": True}),
    Endpoint("post", "/api/v1/plans/reports/{report_id}/approve", OFFICE, params=_report, json=lambda o: {}),
    Endpoint("post", "/api/v1/plans/reports/{report_id}/return", OFFICE, params=_report,
             json=lambda o: {"reason": "佐证不足"}),
    # Portal: published plans for everyone; an assessment's results only once published.
    PortalPage("plans_portal:home", EVERYONE),
    PortalPage("plans_portal:plan", EVERYONE, kwargs=_plan),
    PortalPage("plans_portal:results", (), anonymous="denied", kwargs=_rubric, label="未发布"),
    PortalPage("plans_portal:results_version", (), anonymous="denied",
               kwargs=lambda o: {**_rubric(o), "number": 1}, label="未发布"),
]
