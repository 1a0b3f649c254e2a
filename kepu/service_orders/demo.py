"""Demo data of the order workflow (seed order 40, after org and volunteers): demo communities under
each town, the practice centres (中心/所/站), a service menu of about twenty items, and a few hundred
orders in every state spread over the towns, with their histories and ratings. Idempotent.

The communities are illustrative: their names say 演示 and their codes (…9xx under each town's code)
are not real statistical division codes. Orders are generated with a fixed seed relative to today, so
the demo always shows recent activity; their histories are written in bulk (one audit entry records
the load), not replayed through the services.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import SYSTEM
from kepu.core.models import AuditCategory
from kepu.org import public as org_services
from kepu.org.public import Region, RegionLevel, Unit, resolve_unit_name
from kepu.service_orders import teams
from kepu.service_orders.models import (
    Audience,
    CentreLevel,
    EventKind,
    OrderChannel,
    OrderEvent,
    OrderStatus,
    PracticeCentre,
    ServiceCategory,
    ServiceItem,
    ServiceOrder,
)

S = OrderStatus
C = ServiceCategory
CITY_CODE = "320583000000"
COMMUNITY_NAMES = ("演示一社区", "演示二社区", "演示三社区")


@dataclass(frozen=True)
class DemoItem:
    name: str
    category: str
    unit: str
    summary: str
    audience: str = Audience.EVERYONE
    minutes: int = 90
    max_headcount: int = 80


MENU = (
    DemoItem("慢性病防治与合理用药讲座", C.HEALTH, "昆山市卫生健康委员会",
             "由社区医生讲解高血压、糖尿病的日常管理和用药误区，现场答疑。", Audience.ELDERLY),
    DemoItem("家庭急救与心肺复苏培训", C.HEALTH, "昆山市卫生健康委员会",
             "学习心肺复苏、AED 使用和海姆立克急救法，模拟人实操。", minutes=120, max_headcount=40),
    DemoItem("健康义诊与科学就医咨询", C.HEALTH, "昆山市医学会",
             "测血压血糖、健康咨询，讲解分级诊疗与科学就医。", Audience.ELDERLY, minutes=180, max_headcount=150),
    DemoItem("心理健康科普沙龙", C.HEALTH, "昆山市卫生健康委员会",
             "情绪管理、睡眠与压力调适的科普与互动交流。", minutes=90, max_headcount=40),
    DemoItem("防灾减灾与应急避险演练", C.EMERGENCY, "昆山市应急管理局",
             "讲解火灾、台风、暴雨内涝的避险常识，组织社区疏散演练。", minutes=120, max_headcount=200),
    DemoItem("家庭消防安全隐患排查", C.EMERGENCY, "昆山市应急管理局",
             "入户讲解电动车充电、燃气使用等隐患，发放家庭应急包清单。", minutes=60, max_headcount=60),
    DemoItem("气象灾害预警信息解读", C.EMERGENCY, "昆山市气象局",
             "看懂预警信号，了解极端天气下的出行和防护要点。", minutes=60),
    DemoItem("水稻绿色高效栽培技术指导", C.AGRICULTURE, "昆山市农业农村局",
             "农技专家田间指导水稻品种选择、病虫害绿色防控与测土配方施肥。", Audience.FARMERS, 150, 60),
    DemoItem("设施蔬菜种植与农产品电商", C.AGRICULTURE, "昆山市农业农村局",
             "大棚蔬菜栽培要点，以及通过电商平台销售农产品的实操。", Audience.FARMERS, 120, 50),
    DemoItem("青少年科学实验课", C.YOUTH, "昆山市科学技术协会",
             "趣味物理化学实验进社区、进校园，激发孩子的好奇心。", Audience.YOUTH, 90, 60),
    DemoItem("校园人工智能与编程体验", C.YOUTH, "昆山市教育局",
             "图形化编程、智能机器人体验课，面向小学高年级和初中学生。", Audience.YOUTH, 120, 40),
    DemoItem("暑期天文观测活动", C.YOUTH, "共青团昆山市委员会",
             "带上望远镜认识星空，讲解四季星座和天文常识。", Audience.YOUTH, 120, 50),
    DemoItem("老年人智能手机使用课", C.ELDERLY_DIGITAL, "昆山市科学技术协会",
             "手把手教扫码、挂号、打车、视频通话和移动支付。", Audience.ELDERLY, 90, 30),
    DemoItem("防范电信网络诈骗讲座", C.ELDERLY_DIGITAL, "昆山市科学技术协会",
             "结合真实案例识别常见诈骗套路，守好老年人的钱袋子。", Audience.ELDERLY, 60, 120),
    DemoItem("垃圾分类与低碳生活", C.ENVIRONMENT, "苏州市昆山生态环境局",
             "垃圾分类怎么分、为什么分，家庭节能降碳小妙招。", minutes=60, max_headcount=100),
    DemoItem("河湖生态保护科普", C.ENVIRONMENT, "昆山市水务局",
             "认识阳澄湖、淀山湖的水生态，学习节水护水知识。", minutes=90),
    DemoItem("食品安全与识别假冒伪劣", C.LIFE, "昆山市市场监督管理局",
             "食品标签怎么看、保健品宣传陷阱，现场快检演示。", minutes=90),
    DemoItem("家庭科学育儿讲座", C.LIFE, "昆山市妇女联合会",
             "儿童营养、用眼卫生与亲子科学小游戏。", minutes=90, max_headcount=60),
    DemoItem("产业工人安全生产与职业健康", C.LIFE, "昆山市总工会",
             "车间安全操作、职业病防护与劳动者权益科普。", Audience.WORKERS, 90, 150),
    DemoItem("科学辟谣进社区", C.LIFE, "昆山市科学技术协会",
             "解读近期流传的健康、食品谣言，教大家学会查证。", minutes=60, max_headcount=100),
)

FREE_REQUESTS = (
    ("给小区老人讲讲医保线上办理", C.ELDERLY_DIGITAL), ("暑假给孩子们上一堂防溺水课", C.EMERGENCY),
    ("讲讲家里燃气热水器怎么安全使用", C.EMERGENCY), ("葡萄种植病害防治指导", C.AGRICULTURE),
    ("社区工厂职工颈椎腰椎保健讲座", C.HEALTH), ("教老人识别保健品骗局", C.ELDERLY_DIGITAL),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ("阿姨", "师傅", "老师", "女士", "先生", "大爷", "奶奶", "同学家长", "书记", "主任")
ADDRESSES = ("社区服务中心二楼活动室", "居委会多功能厅", "新时代文明实践站", "小区中心广场", "老年活动中心",
             "村委会会议室", "社区党群服务中心", "社区卫生服务站旁会议室", "小学报告厅", "农贸市场旁休闲广场")
PLAN = ((S.RATED, 230), (S.COMPLETED, 30), (S.IN_SERVICE, 6), (S.ACCEPTED, 14), (S.CLAIMED, 16),
        (S.DISPATCHED, 14), (S.PLACED, 18), (S.REJECTED, 10), (S.CANCELLED, 14))
RATINGS = (5,) * 12 + (4,) * 6 + (3,) * 2 + (2, 1)
COMMENTS = ("讲得很细致，老人们都听懂了", "老师很有耐心，手把手教", "内容实用，希望多来几次", "时间有点短，意犹未尽",
            "孩子们特别喜欢", "现场演练很有收获", "", "", "准时到达，服务周到", "希望下次能讲得再通俗一些")


# ---------------------------------------------------------------- places

def _communities() -> None:
    towns = Region.objects.filter(level=RegionLevel.TOWN, path__startswith=f"/{CITY_CODE}/").order_by("code")
    for town in towns:
        count = 3 if town.code == "320583106000" else 2
        for n, name in enumerate(COMMUNITY_NAMES[:count], start=1):
            code = f"{town.code[:9]}9{n:02d}"
            if not Region.objects.filter(code=code).exists():
                org_services.region_create(actor=SYSTEM, code=code, name=f"{town.name}{name}",
                                           level=RegionLevel.COMMUNITY, parent=town)


def _centres() -> None:
    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return
    wanted = [(city, "昆山市新时代文明实践中心", CentreLevel.CENTRE)]
    for region in Region.objects.filter(path__startswith=city.path).exclude(pk=city.pk).order_by("path"):
        if region.level == RegionLevel.TOWN:
            wanted.append((region, f"{region.name}新时代文明实践所", CentreLevel.INSTITUTE))
        elif region.level == RegionLevel.COMMUNITY:
            wanted.append((region, f"{region.name}新时代文明实践站", CentreLevel.STATION))
    existing = set(PracticeCentre.objects.values_list("region_id", flat=True))
    PracticeCentre.objects.bulk_create([
        PracticeCentre(region=region, name=name, level=level, address=f"{region.name}党群服务中心")
        for region, name, level in wanted if region.pk not in existing
    ])


# ---------------------------------------------------------------- menu

def _menu() -> list[ServiceItem]:
    if ServiceItem.objects.exists():
        return list(ServiceItem.objects.select_related("provider_unit", "provider_team"))
    city = Region.objects.get(code=CITY_CODE)
    team_list = _squads()
    items = []
    for order, spec in enumerate(MENU, start=1):
        unit = resolve_unit_name(spec.unit)
        if unit is None:
            continue
        team = _team_for_category(team_list, spec.category) if order % 2 == 0 else None
        items.append(ServiceItem(name=spec.name, category=spec.category, summary=spec.summary,
                                 audience=spec.audience, duration_minutes=spec.minutes,
                                 max_headcount=spec.max_headcount, provider_unit=unit, provider_team=team,
                                 area=city, sort_order=order * 10))
    ServiceItem.objects.bulk_create(items)
    audit.record(SYSTEM, "service_orders.item.create", category=AuditCategory.IMPORT,
                 object_repr="演示服务菜单", reason=f"演示数据：服务菜单 {len(items)} 项")
    return list(ServiceItem.objects.select_related("provider_unit", "provider_team"))


# ---------------------------------------------------------------- orders

@dataclass
class _Draft:
    order: ServiceOrder
    events: list[OrderEvent]


class _Generator:
    """Builds orders with consistent timestamps and histories for a target status."""

    def __init__(self, *, now: datetime.datetime, items: list[ServiceItem], places: list[Region],
                 team_list: list[Any], units: dict[str, Unit], resident: Any) -> None:
        self.rng = random.Random(2026)
        self.now, self.items, self.places, self.teams = now, items, places, team_list
        self.units, self.resident = units, resident
        self.serial = 0

    def hours(self, low: float, high: float) -> datetime.timedelta:
        return datetime.timedelta(hours=self.rng.uniform(low, high))

    def _base(self, status: str) -> ServiceOrder:
        rng = self.rng
        place = rng.choice(self.places)
        town = place if place.level == RegionLevel.TOWN else place.parent
        self.serial += 1
        mine = self.resident is not None and self.serial % 37 == 0
        if rng.random() < 0.85:
            item = rng.choice(self.items)
            title, category = item.name, item.category
        else:
            item = None
            title, category = rng.choice(FREE_REQUESTS)
        return ServiceOrder(
            item=item, title=title, category=category, channel=OrderChannel.COMMUNITY if rng.random() < 0.2
            else OrderChannel.PORTAL,
            requester_name=getattr(self.resident, "display_name", "周市民") if mine
            else rng.choice(SURNAMES) + rng.choice(GIVEN),
            requester_phone=getattr(self.resident, "phone", "") if mine else f"139{rng.randrange(10**8):08d}",
            requester_user=self.resident if mine else None, town=town, region=place,
            address=f"{place.name}{rng.choice(ADDRESSES)}", headcount=rng.choice((15, 20, 25, 30, 40, 50, 60)),
            status=status, version=0, placed_at=self.now, stage_started_at=self.now, scheduled_at=self.now,
        )

    def team_for(self, order: ServiceOrder) -> Any:
        """The item's own team, else a team of the same town, else one of the right field, else any."""
        if order.item is not None and order.item.provider_team is not None:
            return order.item.provider_team
        local = [t for t in self.teams if t.region_id == order.town_id]
        if local and self.rng.random() < .8:
            return self.rng.choice(local)
        return _team_for_category(self.teams, order.category) or self.rng.choice(self.teams)

    def _unit_for(self, order: ServiceOrder) -> Unit:
        if order.item is not None:
            return order.item.provider_unit
        return self.units.get(order.category) or next(iter(self.units.values()))

    def draft(self, status: str) -> _Draft:
        order = self._base(status)
        steps = _STEPS[status]
        rng = self.rng
        if status in (S.RATED, S.REJECTED, S.CANCELLED):  # a year of history, growing towards today
            at = self.now - datetime.timedelta(days=rng.triangular(12, 330, 12))
        elif status == S.COMPLETED:  # awaiting a rating: recent, within the rating period
            at = self.now - datetime.timedelta(days=rng.uniform(5, 25))
        else:  # open: each step took up to a day; a few have overrun their limit
            at = self.now - self.hours(len(steps) * 16 + 1, len(steps) * 16 + 10)
            if rng.random() < 0.15:
                at -= self.hours(30, 60)
        order.placed_at = at
        events = [self._event(order, EventKind.PLACED, "", S.PLACED, at, order.requester_name + "（群众）")]
        day = at + datetime.timedelta(days=rng.randint(3, 12))
        if status == S.COMPLETED:
            day = min(day, self.now - datetime.timedelta(days=1))
        elif status == S.IN_SERVICE:
            day = self.now - self.hours(1, 3)
        elif status == S.ACCEPTED:  # booked for around now, but never for a time before it was booked
            day = max(self.now + datetime.timedelta(days=rng.randint(-4, 6)), at + datetime.timedelta(days=1))
        order.scheduled_at = timezone.localtime(day).replace(hour=rng.choice((9, 14, 19)), minute=0, second=0,
                                                             microsecond=0)
        if status == S.IN_SERVICE:
            order.scheduled_at = min(order.scheduled_at, self.now - datetime.timedelta(hours=1))
        previous = S.PLACED
        for step in steps:
            at = self._apply(order, step, at)
            target = _TARGET[step]
            events.append(self._event(order, step, previous, target, at, self._who(order, step),
                                      self._note(order, step)))
            previous = target
        order.stage_started_at = at
        order.updated_at = at
        return _Draft(order, events)

    def _apply(self, order: ServiceOrder, step: str, at: datetime.datetime) -> datetime.datetime:
        rng = self.rng
        if step == EventKind.DISPATCHED:
            at += self.hours(1, 20)
            order.dispatch_unit, order.dispatched_at = self._unit_for(order), at
        elif step == EventKind.CLAIMED:
            at += self.hours(1, 22)
            order.claimed_at = at
            if self.teams and rng.random() < .55:
                order.offered_team = self.team_for(order)
        elif step == EventKind.ACCEPTED:
            at += self.hours(1, 40)
            order.team = order.offered_team or self.team_for(order)
            order.offered_team, order.accepted_at = None, at
        elif step == EventKind.STARTED:
            at = max(at + self.hours(1, 2), order.scheduled_at) if order.scheduled_at < self.now else at
            order.started_at = at
        elif step == EventKind.COMPLETED:
            at = max(at, order.scheduled_at) + self.hours(1.5, 3)
            order.completed_at = at
            order.served_count = max(5, order.headcount + rng.randint(-10, 15))
            order.service_hours = Decimal(rng.choice(("1.5", "2.0", "2.5", "3.0")))
            order.report = (f"{order.team.name if order.team else '服务队'}按时到达{order.region.name}，"
                            f"围绕“{order.title}”开展服务，现场 {order.served_count} 名群众参加，"
                            "互动踊跃，发放科普资料若干份。")
        elif step == EventKind.RATED:
            at += self.hours(2, 60)
            order.rating = rng.choice(RATINGS)
            order.rating_comment = rng.choice(COMMENTS)
            order.rated_at = order.closed_at = at
        elif step in (EventKind.REJECTED, EventKind.CANCELLED):
            at += self.hours(1, 20)
            order.closed_at = at
            order.close_reason = ("超出本社区服务范围，已建议联系所在社区" if step == EventKind.REJECTED
                                  else rng.choice(("活动场地临时调整，暂不需要", "时间冲突，群众主动取消")))
        return min(at, self.now)

    def _who(self, order: ServiceOrder, step: str) -> str:
        if step in (EventKind.DISPATCHED, EventKind.REJECTED):
            return f"{order.town.name}新时代文明实践所"
        if step == EventKind.CLAIMED:
            return f"{order.dispatch_unit.label}联络员"
        if step in (EventKind.ACCEPTED, EventKind.STARTED, EventKind.COMPLETED):
            return f"{order.team.name}队长" if order.team else "服务队"
        if step == EventKind.RATED:
            return f"{order.requester_name}（群众）"
        return order.requester_name + "（群众）"

    def _note(self, order: ServiceOrder, step: str) -> str:
        if step == EventKind.DISPATCHED:
            return f"派至{order.dispatch_unit.name}"
        if step == EventKind.CLAIMED:
            return f"指派给{order.offered_team.name}" if order.offered_team else "放入抢单池，各服务队均可接单"
        if step == EventKind.ACCEPTED:
            return f"{order.team.name}接单"
        if step == EventKind.COMPLETED:
            return order.report[:200]
        if step == EventKind.RATED:
            return f"{order.rating} 星。{order.rating_comment}".strip()
        if step in (EventKind.REJECTED, EventKind.CANCELLED):
            return order.close_reason
        return ""

    @staticmethod
    def _event(order: ServiceOrder, kind: str, source: str, target: str, at: datetime.datetime, who: str,
               note: str = "") -> OrderEvent:
        return OrderEvent(order=order, kind=kind, from_status=source, to_status=target, actor_name=who[:100],
                          note=note, created_at=at)


E = EventKind
_TARGET = {E.DISPATCHED: S.DISPATCHED, E.CLAIMED: S.CLAIMED, E.ACCEPTED: S.ACCEPTED, E.STARTED: S.IN_SERVICE,
           E.COMPLETED: S.COMPLETED, E.RATED: S.RATED, E.REJECTED: S.REJECTED, E.CANCELLED: S.CANCELLED}
_STEPS = {
    S.PLACED: (), S.DISPATCHED: (E.DISPATCHED,), S.CLAIMED: (E.DISPATCHED, E.CLAIMED),
    S.ACCEPTED: (E.DISPATCHED, E.CLAIMED, E.ACCEPTED), S.IN_SERVICE: (E.DISPATCHED, E.CLAIMED, E.ACCEPTED, E.STARTED),
    S.COMPLETED: (E.DISPATCHED, E.CLAIMED, E.ACCEPTED, E.STARTED, E.COMPLETED),
    S.RATED: (E.DISPATCHED, E.CLAIMED, E.ACCEPTED, E.STARTED, E.COMPLETED, E.RATED),
    S.REJECTED: (E.REJECTED,), S.CANCELLED: (E.CANCELLED,),
}


TEAM_WORDS = {C.HEALTH: "健康", C.EMERGENCY: "应急", C.AGRICULTURE: "农技", C.YOUTH: "青少年",
              C.ELDERLY_DIGITAL: "老年", C.ENVIRONMENT: "宣讲", C.LIFE: "宣讲"}


def _team_for_category(team_list: list[Any], category: str) -> Any:
    word = TEAM_WORDS.get(category, "")
    return next((t for t in team_list if word and word in t.name), None)


def _squads() -> list[Any]:
    """The teams that deliver: squads (分队) when there are any, else every active team."""
    active = list(teams.active_teams())
    return [t for t in active if t.level == "squad"] or active


def _plan(has_teams: bool) -> list[str]:
    needs_team = {S.ACCEPTED, S.IN_SERVICE, S.COMPLETED, S.RATED}
    return [status for status, count in PLAN if has_teams or status not in needs_team for _ in range(count)]


def _units_by_category() -> dict[str, Unit]:
    names = {C.HEALTH: "昆山市卫生健康委员会", C.EMERGENCY: "昆山市应急管理局", C.AGRICULTURE: "昆山市农业农村局",
             C.YOUTH: "昆山市教育局", C.ELDERLY_DIGITAL: "昆山市科学技术协会", C.ENVIRONMENT: "苏州市昆山生态环境局",
             C.LIFE: "昆山市科学技术协会", C.OTHER: "昆山市科学技术协会"}
    found = {code: resolve_unit_name(name) for code, name in names.items()}
    return {code: unit for code, unit in found.items() if unit is not None}


def _orders(items: list[ServiceItem]) -> None:
    if ServiceOrder.objects.exists():
        return
    from kepu.org.public import User

    places = list(Region.objects.filter(level__in=(RegionLevel.TOWN, RegionLevel.COMMUNITY),
                                        path__startswith=f"/{CITY_CODE}/").select_related("parent"))
    centres = {c.region_id: c for c in PracticeCentre.objects.all()}
    team_list = _squads()
    generator = _Generator(now=timezone.now(), items=items, places=places, team_list=team_list,
                           units=_units_by_category(), resident=User.objects.filter(username="resident").first())
    drafts = [generator.draft(status) for status in _plan(bool(team_list))]
    for draft in drafts:
        draft.order.centre = centres.get(draft.order.region_id) or centres.get(draft.order.town_id)
        _maybe_escalate(draft, generator)
    ServiceOrder.objects.bulk_create([d.order for d in drafts], batch_size=500)
    OrderEvent.objects.bulk_create([e for d in drafts for e in d.events], batch_size=1000)
    audit.record(SYSTEM, "service_orders.order.place", category=AuditCategory.IMPORT, object_repr="演示工单",
                 reason=f"演示数据：生成 {len(drafts)} 个服务工单及其办理记录")


def _maybe_escalate(draft: _Draft, generator: _Generator) -> None:
    """Orders whose stage has overrun carry the escalation the overdue job would have written."""
    order = draft.order
    limit = {S.PLACED: 24, S.DISPATCHED: 24, S.CLAIMED: 48}.get(order.status)
    if limit is None or generator.now - order.stage_started_at < datetime.timedelta(hours=limit):
        return
    order.escalated_at = order.stage_started_at + datetime.timedelta(hours=limit, minutes=5)
    draft.events.append(_Generator._event(order, EventKind.ESCALATED, order.status, order.status,
                                          order.escalated_at, "系统", "超过本环节时限，已督办"))


@transaction.atomic
def load() -> None:
    _communities()
    _centres()
    items = _menu()
    if items:
        _orders(items)
