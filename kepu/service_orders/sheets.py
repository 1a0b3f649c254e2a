"""Excel outputs: the order list as filtered on screen, and the figures reported upward."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kepu.core.excel import Column, write_workbook
from kepu.org.public import Region, RegionLevel, Unit
from kepu.service_orders.models import ServiceOrder
from kepu.service_orders.stats import Figures, Row

EXPORT_LIMIT = 100_000

ORDER_COLUMNS = (
    Column("工单号", "number", width=18), Column("服务需求", "title", width=28), Column("类别", "category", width=12),
    Column("来源", "channel", width=10), Column("联系人", "requester_name", width=10),
    Column("联系电话", "phone", width=14), Column("镇（街道）", "town", width=12), Column("地点", "region", width=16),
    Column("详细地址", "address", width=28), Column("预约时间", "scheduled_at", width=18),
    Column("预计人数", "headcount", width=10), Column("状态", "status", width=10),
    Column("承办部门", "unit", width=22), Column("服务队伍", "team", width=22),
    Column("点单时间", "placed_at", width=18), Column("接单时间", "accepted_at", width=18),
    Column("完成时间", "completed_at", width=18), Column("实际服务人数", "served", width=12),
    Column("评分", "rating", width=8), Column("评价", "comment", width=30),
)


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _order_row(order: ServiceOrder, full_phones: bool) -> list[Any]:
    return [
        order.number, order.title, order.get_category_display(), order.get_channel_display(),
        order.requester_name, order.requester_phone if full_phones else order.masked_phone, order.town.name, order.region.name, order.address,
        _local(order.scheduled_at), order.headcount, order.get_status_display(),
        order.dispatch_unit.name if order.dispatch_unit_id else "",
        (order.team or order.offered_team).name if (order.team_id or order.offered_team_id) else "",
        _local(order.placed_at), _local(order.accepted_at), _local(order.completed_at), order.served_count,
        order.rating, order.rating_comment,
    ]


def orders_export(orders: list[ServiceOrder], *, full_phones: bool = False) -> bytes:
    """Phones are masked unless the role may see personal data (org.user.view_sensitive)."""
    return write_workbook("服务工单", ORDER_COLUMNS, (_order_row(o, full_phones) for o in orders))


FIGURE_COLUMNS = (
    Column("分组", "label", width=26), Column("工单数", "total", width=10), Column("已办结", "done", width=10),
    Column("办结率", "completion_rate", width=10), Column("已评价", "rated", width=10),
    Column("满意率", "satisfaction_rate", width=10), Column("平均评分", "avg_rating", width=10),
    Column("平均响应时长（小时）", "response_hours", width=20),
    Column("平均办结时长（小时）", "completion_hours", width=20), Column("服务人次", "served", width=12),
)


def _figure_row(prefix: str, row: Row) -> list[Any]:
    def pct(value: Any) -> Any:
        return f"{value * 100:.1f}%" if value is not None else "—"

    return [f"{prefix}{row.label}", row.total, row.done, pct(row.completion_rate), row.rated,
            pct(row.satisfaction_rate), row.avg_rating, row.response_hours, row.completion_hours, row.served]


def figures_export(figures: Figures) -> bytes:
    rows = [_figure_row("", figures.overall)]
    rows += [_figure_row("镇（街道）：", r) for r in figures.by_town]
    rows += [_figure_row("承办部门：", r) for r in figures.by_unit]
    rows += [_figure_row("服务队伍：", r) for r in figures.by_team]
    return write_workbook("基层科普服务统计", FIGURE_COLUMNS, rows)


def town_choices() -> list[Region]:
    return list(Region.objects.filter(level=RegionLevel.TOWN, is_active=True).only("id", "name").order_by("path"))


def unit_choices() -> list[Unit]:
    """The departments orders are dispatched to: the leading group's member units."""
    return list(Unit.objects.filter(is_member=True, is_active=True).only("id", "name", "short_name")
                .order_by("sort_order", "name"))
