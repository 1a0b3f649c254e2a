"""The 422 for parameters and bodies that fail validation, in Chinese: pydantic's English sentences become
one Chinese sentence per field, naming the field by its Chinese label where kepu has one (else by its
path, ``figures.3``). ``loc`` and ``type`` stay as pydantic gives them, for programs."""

from __future__ import annotations

from typing import Any

# The API's parameter and body field names, as a user knows them (docs/glossary.md's Chinese terms).
FIELD_LABELS = {
    "page": "页码", "page_size": "每页条数", "q": "关键词", "year": "年度", "status": "状态", "kind": "类型",
    "level": "级别", "category": "类别", "action": "操作", "role": "角色", "is_member": "是否成员单位",
    "plan": "规划", "task": "任务", "unit": "单位", "team": "志愿服务队", "town": "乡镇（街道）", "light": "进展灯",
    "lead_only": "仅看牵头任务", "queue": "待办队列", "source": "来源", "when": "时间", "run": "估计批次",
    "domain": "维度", "indicator": "指标", "code": "编码",
    "unit_id": "单位", "task_id": "任务", "report_id": "进展填报", "wave_id": "调查轮次", "run_id": "估计批次",
    "team_id": "志愿服务队", "volunteer_id": "志愿者", "hours_id": "服务时长记录", "order_id": "工单", "verb": "办理动作",
    "name": "名称", "short_name": "简称", "region_code": "行政区划代码", "parent_id": "上级单位", "aliases": "别名",
    "period_id": "填报期", "progress": "进度", "text": "进展情况", "problems": "存在问题", "figures": "指标数值",
    "submit": "是否提交", "reason": "理由", "note": "备注", "report": "服务报告", "served_count": "服务人数",
    "service_hours": "服务时长", "confirm_early": "确认提前签退",
}
# Where a value was sent (ninja's first ``loc`` item).
PLACES = {"query": "查询参数", "path": "路径参数", "body": "请求内容", "header": "请求头", "cookie": "Cookie", "form": "表单"}


# pydantic's error types → a Chinese sentence, ``{…}`` filled from the error's ``ctx``; others get GENERAL.
MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数，不能带小数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "finite_number": "须为有限的数字",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "string_type": "须为文字",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "json_invalid": "不是有效的 JSON",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "最多 {max_length} 个字",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "decimal_max_digits": "最多 {max_digits} 位数字",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分最多 {whole_digits} 位",
    "literal_error": "须为以下之一：{expected}",
    "enum": "须为以下之一：{expected}",
    "date_parsing": "须为日期（如 2026-01-31）",
    "date_from_datetime_parsing": "须为日期（如 2026-01-31）",
    "datetime_parsing": "须为日期时间（如 2026-01-31T08:00:00）",
    "datetime_from_date_parsing": "须为日期时间（如 2026-01-31T08:00:00）",
    "extra_forbidden": "不是可接受的字段",
    "value_error": "{error}",  # a validator's own sentence
}
GENERAL = "取值不正确"


def field_label(loc: list[str | int]) -> str:
    """The Chinese name of the field at ``loc`` (``["query", "page"]`` → 页码, ``["body", "payload", "figures",
    "3"]`` → 指标数值.3); a part without a label stays as sent."""
    path = [part for part in loc[1:] if part != "payload"] if loc and loc[0] in PLACES else loc
    return ".".join(FIELD_LABELS.get(part, part) if isinstance(part, str) else str(part) for part in path) \
        or PLACES.get(str(loc[0]) if loc else "body", "请求内容")


def chinese_error(error: dict[str, Any]) -> dict[str, Any]:
    """One of ninja's validation errors as kepu answers it: the same ``loc`` and ``type``, a Chinese ``msg``."""
    loc = list(error.get("loc", ()))
    kind = str(error.get("type", ""))
    ctx = {key: str(value).removeprefix("Value error, ") for key, value in (error.get("ctx") or {}).items()}
    try:
        sentence = MESSAGES.get(kind, GENERAL).format_map(ctx)
    except (KeyError, ValueError):  # a context without the value the sentence names
        sentence = GENERAL
    return {"loc": loc, "msg": f"{field_label(loc)}：{sentence}", "type": kind}
