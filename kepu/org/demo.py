"""The demo city: 昆山市, its towns (national statistical division codes), the leading group's member
units as the 2023 implementation plan names them, and one demo user per role. Loading is idempotent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from kepu.core.access import SYSTEM
from kepu.core.roles import Role
from kepu.org import services
from kepu.org.models import Region, Unit, User
from kepu.org.selectors import resolve_unit_name

DATA = json.loads((Path(__file__).parent / "demo_data" / "kunshan.json").read_text(encoding="utf-8"))
DEMO_PASSWORD = "Kepu#2026demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str | None = None
    region: str | None = None
    phone: str = ""


DEMO_USERS = (
    DemoUser("admin", "系统管理员", (Role.SYSTEM_ADMIN,), "昆山市科学技术协会", phone="13800000001"),
    DemoUser("office", "王科普", (Role.OFFICE,), "昆山市科学技术协会", phone="13800000002"),
    DemoUser("zhangpu", "张浦镇管理员", (Role.AREA_ADMIN,), "张浦镇人民政府", "320583106000", "13800000003"),
    DemoUser("jiaoyu", "李联络（教育局）", (Role.LIAISON,), "昆山市教育局", phone="13800000004"),
    DemoUser("nongye", "赵联络（农业农村局）", (Role.LIAISON,), "昆山市农业农村局", phone="13800000005"),
    DemoUser("expert", "陈专家", (Role.EXPERT,), "昆山市医学会", phone="13800000006"),
    DemoUser("volunteer", "刘志愿", (Role.VOLUNTEER,), None, phone="13800000007"),
    DemoUser("resident", "周市民", (Role.PUBLIC,), None, phone="13800000008"),
    DemoUser("weijian", "孙联络（卫健委·专家）", (Role.LIAISON, Role.EXPERT), "昆山市卫生健康委员会",
             phone="13800000009"),
)


def _regions() -> dict[str, Region]:
    regions = {r.code: r for r in Region.objects.all()}
    for row in DATA["regions"]:
        if row["code"] not in regions:
            parent = regions.get(row["parent"]) if row["parent"] else None
            regions[row["code"]] = services.region_create(
                actor=SYSTEM, code=row["code"], name=row["name"], level=row["level"], parent=parent
            )
    return regions


def _units(regions: dict[str, Region]) -> None:
    city = regions[DATA["regions"][0]["code"]]
    for order, row in enumerate(DATA["member_units"], start=1):
        if resolve_unit_name(row["name"]) is None:
            services.unit_create(actor=SYSTEM, name=row["name"], region=city, short_name=row["short"],
                                 kind=row["kind"], is_member=True, sort_order=order,
                                 aliases=list(dict.fromkeys(a for a in [row["short"], *row["aliases"]] if a)))
    for row in DATA["other_units"]:
        if resolve_unit_name(row["name"]) is None:
            parent = resolve_unit_name(row["parent"]) if row.get("parent") else None
            services.unit_create(actor=SYSTEM, name=row["name"], region=regions[row["region"]],
                                 short_name=row["short"], kind=row["kind"], parent=parent,
                                 aliases=row.get("aliases", []))


def _users(regions: dict[str, Region]) -> None:
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            continue
        services.user_create(
            actor=SYSTEM, username=spec.username, password=DEMO_PASSWORD, roles=list(spec.roles),
            display_name=spec.display_name, phone=spec.phone,
            unit=Unit.objects.get(name=spec.unit) if spec.unit else None,
            region=regions[spec.region] if spec.region else None,
        )


@transaction.atomic
def load() -> None:
    regions = _regions()
    _units(regions)
    _users(regions)
