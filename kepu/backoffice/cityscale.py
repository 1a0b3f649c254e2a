"""A city-scale dataset on top of the demo city: the volumes a real city reaches after a few years.

`manage.py load_city_scale [--scale 1.0]` (after `load_demo`) adds, spread over the demo city's towns:
10,000 units, 2,000 tasks of one more plan with 27,000 progress reports, 100,000 service orders with
their histories, 20,000 volunteers in 400 teams with 200,000 hour records, 100,000 audit entries and
three survey waves of 100,000 respondents each. `--scale` multiplies every volume (tests load 0.002).

Rows go in with bulk inserts in batches (no per-row save, no signals), so the whole set loads in a few
minutes on PostgreSQL. It lives in the back office (a shell, not a domain) because it writes every
domain's tables. What the rows promise:

- deterministic: one seeded random generator; the same scale gives the same rows (ciphertexts differ,
  their nonces are random, the values they hold do not);
- valid: ID numbers with their check digit, mobile numbers, phones and ID numbers sealed by the
  ProtectedField with their digests, progress 0–100, hours 0–24, ratings 1–5;
- reachable states: each order's timestamps and events follow the workflow up to its status, each
  report's history (submitted, approved, returned) matches its status, dates never run backwards;
- audit entries are inserted directly (append-only table: inserted once, never updated);
- the survey waves come from kepu.literacy.synthetic and are stored the way an import stores them.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from kepu.core.access import SYSTEM
from kepu.core.models import AuditCategory, AuditEntry
from kepu.core.text import normalize_name
from kepu.org.public import Region, Unit, User

BATCH = 2000
MARK = "（城市规模数据）"  # in the plan's and the waves' names: how a second run knows it has loaded
PLAN_TITLE = f"昆山市全民科学素质行动重点任务台账{MARK}"

VOLUMES = {
    "units": 10_000, "tasks": 2_000, "reports": 27_000, "orders": 100_000, "volunteers": 20_000,
    "teams": 400, "hours": 200_000, "audit": 100_000, "respondents": 100_000,  # per survey wave
}
COMMUNITIES_PER_TOWN = 25


@dataclass
class Counts:
    units: int = 0
    regions: int = 0
    tasks: int = 0
    reports: int = 0
    orders: int = 0
    order_events: int = 0
    teams: int = 0
    volunteers: int = 0
    hours: int = 0
    audit: int = 0
    waves: int = 0
    respondents: int = 0


class AlreadyLoaded(Exception):
    pass


def volumes(scale: float) -> dict[str, int]:
    return {name: max(1, round(total * scale)) for name, total in VOLUMES.items()}


@contextlib.contextmanager
def _own_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Inside this block the model's auto_now / auto_now_add fields keep the values the rows carry:
    a record made three years ago says so, instead of every row saying "now"."""
    fields = [f for f in model._meta.concrete_fields
              if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[attr-defined]
    for field in fields:
        field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for field, now, add in saved:
            field.auto_now, field.auto_now_add = now, add  # type: ignore[attr-defined]


def _insert(model: type[models.Model], rows: Sequence[models.Model]) -> list[Any]:
    with _own_timestamps(model):
        return model._default_manager.bulk_create(rows, batch_size=BATCH)


def _stamp(row: models.Model, when: datetime.datetime) -> models.Model:
    for name in ("created_at", "updated_at"):
        if hasattr(row, name):
            setattr(row, name, when)
    return row


def id_number(rng: random.Random, region_code: str, birth: datetime.date) -> str:
    """A mainland ID number (GB 11643-1999) with its check digit, for a person born in the region."""
    from kepu.core.text import _ID_CHECK, _ID_WEIGHTS

    body = f"{region_code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


# ---------------------------------------------------------------- the loader


class CityScale:
    def __init__(self, scale: float, *, seed: int = 2026, say: Callable[[str], None] = lambda _: None) -> None:
        self.n = volumes(scale)
        self.scale = scale
        self.rng = random.Random(seed)
        self.say = say
        self.now = timezone.now().replace(microsecond=0)
        self.counts = Counts()

    def load(self) -> Counts:
        from kepu.plans.models import Plan

        if Plan.objects.filter(title=PLAN_TITLE).exists():
            raise AlreadyLoaded("城市规模数据已载入，不重复载入（需要重新载入请换一个空数据库）")
        self.city = Region.objects.get(level="city")
        self.towns = list(Region.objects.filter(level="town").order_by("code"))
        if not self.towns:
            raise AlreadyLoaded("请先载入演示城市：manage.py load_demo")
        self.office = User.objects.get(username="office")
        self.people = list(User.objects.filter(username__in=("office", "zhangpu", "jiaoyu", "admin", "volunteer")))
        for step in (self._communities, self._units, self._plan, self._teams_and_volunteers, self._orders,
                     self._hours, self._audit, self._waves):
            step()
            self._analyze()
        return self.counts

    def _analyze(self) -> None:
        """Fresh planner statistics after each bulk step (PostgreSQL's autovacuum would be minutes late)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _when(self, days_back: int = 3 * 365) -> datetime.datetime:
        return self.now - datetime.timedelta(seconds=self.rng.randrange(1, days_back * 86400))

    # ------------------------------------------------------------ regions and units

    def _communities(self) -> None:
        per_town = max(1, round(COMMUNITIES_PER_TOWN * min(1.0, self.scale * 10)))
        rows = []
        for town in self.towns:
            taken = set(Region.objects.filter(parent=town).values_list("code", flat=True))
            for n in range(1, per_town + 1):
                code = f"{town.code[:9]}{n:03d}"
                if code in taken:
                    continue
                name = f"{town.name.removesuffix('镇')}{'社区' if n % 3 else '村'}{n:02d}"
                rows.append(_stamp(Region(code=code, name=name, level="community", parent=town,
                                          path=f"{town.path}{code}/"), self.now))
        _insert(Region, rows)
        self.communities = list(Region.objects.filter(level="community").order_by("code"))
        self.counts.regions = len(rows)
        self.say(f"社区/村：{len(rows)}")

    def _units(self) -> None:
        by_name = {u.name: u for u in Unit.objects.all()}
        edu, kexie = by_name.get("昆山市教育局"), by_name.get("昆山市科学技术协会")
        # The registry grows to 10,000 units at scale 1 (the demo's few dozen included).
        wanted = max(1, round((VOLUMES["units"] - len(by_name)) * self.scale))
        # The mix of a city's registry: schools under the education bureau, community committees,
        # enterprises, societies under the science association, venues and bases.
        mix = (("school", 0.15, edu, "学校"), ("grassroots", 0.35, None, "居委会"), ("enterprise", 0.35, None, "科技有限公司"),
               ("society", 0.05, kexie, "学会"), ("venue", 0.05, None, "科普教育基地"), ("public_institution", 0.05, None, "服务中心"))
        rows = []
        for n in range(wanted):
            kind, _, parent, suffix = self.rng.choices(mix, [share for _, share, _, _ in mix])[0]
            place = self.rng.choice(self.communities or self.towns)
            town = place.parent if place.level == "community" else place
            name = f"{town.name}{suffix}{n + 1:05d}" if kind != "grassroots" else f"{place.name}{suffix}{n + 1:05d}"
            rows.append(_stamp(Unit(name=name, normalized_name=normalize_name(name), kind=kind, region=place,
                                    parent=parent, sort_order=1000 + n, contact_phone=f"0512-5{n % 10**7:07d}"),
                               self._when()))
        created = _insert(Unit, rows)
        for unit in created:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        Unit.objects.bulk_update(created, ["path"], batch_size=BATCH)
        self.members = list(Unit.objects.filter(is_member=True).order_by("sort_order", "pk"))
        self.units = created
        self.counts.units = len(created)
        self.say(f"单位：{len(created)}")

    # ------------------------------------------------------------ plans: tasks and progress reports

    def _plan(self) -> None:
        from kepu.plans.models import (
            Plan,
            PlanSection,
            ProgressReport,
            ReportEvent,
            ReportingPeriod,
            Task,
            TaskUnit,
        )
        from kepu.plans.services.ledger import sync_periods

        plan = Plan.objects.create(title=PLAN_TITLE, kind="implementation", start_year=2021, end_year=2025,
                                   reporting_cycle="quarter", reporting_from=datetime.date(2021, 1, 1),
                                   issuer="昆山市全民科学素质工作领导小组办公室", created_by=self.office)
        sync_periods(plan)
        periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
        due = [p for p in periods if p.due_date < self.now.date()]
        tasks_n = self.n["tasks"]
        sections = _insert(PlanSection, [PlanSection(plan=plan, number=f"{s + 1}.", title=f"重点任务板块{s + 1:02d}",
                                                     order=s) for s in range(max(1, tasks_n // 100))])
        tasks = []
        for t in range(tasks_n):
            tasks.append(_stamp(Task(plan=plan, section=sections[t % len(sections)], number=f"{t // len(sections) + 1}.",
                                     seq=t // len(sections), order=t, title=f"科普重点任务第{t + 1:04d}项",
                                     body="按年度计划推进，按季度报送进展。",
                                     deadline=datetime.date(2025, 12, 31)), self.now))
        tasks = _insert(Task, tasks)
        links, leads = [], {}
        for task in tasks:
            chosen = self.rng.sample(self.members, k=min(len(self.members), 3))
            leads[task.pk] = chosen[0]
            links.append(TaskUnit(task=task, unit=chosen[0], role="lead"))
            links += [TaskUnit(task=task, unit=u, role="participant") for u in chosen[1:]]
        _insert(TaskUnit, links)
        reports, events = self._reports(tasks, leads, due)
        created = _insert(ProgressReport, reports)
        for report, history in zip(created, events, strict=True):
            for event in history:
                event.report = report
        _insert(ReportEvent, [e for history in events for e in history])
        for task in tasks:
            task.progress = self._progress.get(task.pk, 0)
            task.progress_updated_at = self._progress_at.get(task.pk)
        Task.objects.bulk_update(tasks, ["progress", "progress_updated_at"], batch_size=BATCH)
        self.counts.tasks, self.counts.reports = len(tasks), len(created)
        self.say(f"任务：{len(tasks)}，进展填报：{len(created)}")

    def _reports(self, tasks: list[Any], leads: dict[int, Any], due: list[Any]) -> tuple[list[Any], list[list[Any]]]:
        """The lead unit's reports on each task, oldest period first, until the volume is reached: the
        older ones approved, the latest one submitted, returned or a draft."""
        from kepu.plans.models import ProgressReport

        self._progress: dict[int, int] = {}
        self._progress_at: dict[int, datetime.datetime] = {}
        per_task, extra = divmod(self.n["reports"], max(1, len(tasks)))
        reports, events = [], []
        for i, task in enumerate(tasks):
            count = min(len(due), per_task + (1 if i < extra else 0))
            progress = 0
            for k, period in enumerate(due[:count]):
                progress = min(100, progress + self.rng.randrange(3, 9))
                submitted = self._at(period.end) + datetime.timedelta(days=self.rng.randrange(1, 12), hours=10)
                last = k == count - 1
                status = self.rng.choice(("submitted", "returned", "draft", "approved")) if last else "approved"
                report = _stamp(ProgressReport(task=task, unit=leads[task.pk], period=period, status=status,
                                               progress=progress, text=f"{period.label}按计划推进，完成阶段目标。"),
                                submitted)
                history = []
                if status != "draft":
                    report.submitted_at = report.first_submitted_at = submitted
                    report.submitted_by = self.office
                    history.append(self._report_event("submit", "submitted", submitted))
                if status in ("approved", "returned"):
                    report.reviewed_at = submitted + datetime.timedelta(days=2)
                    report.reviewed_by = self.office
                    report.updated_at = report.reviewed_at
                    history.append(self._report_event("approve" if status == "approved" else "return", status,
                                                      report.reviewed_at))
                if status == "returned":
                    report.return_reason, report.times_returned = "请补充量化数据。", 1
                if status == "approved":
                    self._progress[task.pk], self._progress_at[task.pk] = progress, report.reviewed_at
                reports.append(report)
                events.append(history)
        return reports, events

    def _report_event(self, verb: str, status: str, when: datetime.datetime) -> Any:
        from kepu.plans.models import ReportEvent

        return ReportEvent(verb=verb, status=status, actor=self.office, actor_name="纲要办", created_at=when)

    def _at(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))

    # ------------------------------------------------------------ volunteers, teams, hours

    def _teams_and_volunteers(self) -> None:
        from kepu.volunteers.models import TeamMembership, Volunteer, VolunteerTeam

        hosts = [u for u in self.units if u.kind in ("grassroots", "school", "venue")] or self.members
        teams = []
        for n in range(self.n["teams"]):
            host = hosts[n % len(hosts)]
            town = host.region.parent if host.region.level == "community" else host.region
            teams.append(_stamp(VolunteerTeam(name=f"{town.name}科普志愿服务队{n + 1:04d}", level="squad", unit=host,
                                              region=town), self._when()))
        teams = _insert(VolunteerTeam, teams)
        for team in teams:
            team.path = f"/{team.pk}/"
        VolunteerTeam.objects.bulk_update(teams, ["path"], batch_size=BATCH)
        self.teams = teams
        by_town: dict[int, list[Any]] = {}
        for team in teams:
            by_town.setdefault(team.region_id, []).append(team)
        rows, homes = [], []
        taken = self._taken_ids(Volunteer)
        for n in range(self.n["volunteers"]):
            place = self.rng.choice(self.communities or self.towns)
            town_id = place.parent_id if place.level == "community" else place.pk
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=self.rng.randrange(45 * 365))
            joined = self._when()
            number = id_number(self.rng, place.code, birth)
            while number in taken:  # the digest is unique: a repeated number is drawn again
                number = id_number(self.rng, place.code, birth)
            taken.add(number)
            rows.append(_stamp(Volunteer(name=f"志愿者{n + 1:05d}", id_number=number,
                                         phone=mobile(self.rng), region=place, skills="科普宣讲"), joined))
            homes.append(self.rng.choice(by_town.get(town_id) or teams))
        created = _insert(Volunteer, rows)
        memberships = [_stamp(TeamMembership(volunteer=v, team=team, status="approved", is_leader=i < len(teams),
                                             reviewed_by=self.office, reviewed_at=v.created_at), v.created_at)
                       for i, (v, team) in enumerate(zip(created, homes, strict=False))]
        _insert(TeamMembership, memberships)
        self.volunteers = [(v.pk, team.pk, v.created_at) for v, team in zip(created, homes, strict=False)]
        self.counts.teams, self.counts.volunteers = len(teams), len(created)
        self.say(f"志愿服务队：{len(teams)}，志愿者：{len(created)}")

    def _taken_ids(self, model: Any) -> set[str]:
        """The ID numbers already registered (the demo's few volunteers), opened to compare."""
        return {v.upper() for v in model.objects.values_list("id_number", flat=True)}

    def _hours(self) -> None:
        from kepu.volunteers.models import ServiceHours

        rows = []
        for _ in range(self.n["hours"]):
            volunteer_id, team_id, joined = self.rng.choice(self.volunteers)
            span = max(1, int((self.now - joined).total_seconds()))
            recorded = joined + datetime.timedelta(seconds=self.rng.randrange(span))
            status = "approved" if self.rng.random() < 0.9 else self.rng.choice(("pending", "declined"))
            row = ServiceHours(volunteer_id=volunteer_id, team_id=team_id, source="manual", title="社区科普宣讲服务",
                               served_on=timezone.localdate(recorded), hours=Decimal(self.rng.randrange(5, 80)) / 10,
                               reason="活动纸质签到表补录", status=status, created_by=self.office)
            if status != "pending":
                row.reviewed_by, row.reviewed_at = self.office, recorded + datetime.timedelta(hours=6)
            rows.append(_stamp(row, recorded))
            if len(rows) == 20_000:
                self.counts.hours += len(_insert(ServiceHours, rows))
                rows = []
        self.counts.hours += len(_insert(ServiceHours, rows))
        self.say(f"服务时长记录：{self.counts.hours}")

    # ------------------------------------------------------------ service orders

    ORDER_PATH = ("placed", "dispatched", "claimed", "accepted", "in_service", "completed", "rated")

    def _orders(self) -> None:
        from kepu.service_orders.models import OrderEvent, ServiceCategory, ServiceOrder

        self.categories = list(ServiceCategory.values)
        total, made = self.n["orders"], 0
        while made < total:
            batch = [self._order(n) for n in range(made, min(total, made + 10_000))]
            orders = _insert(ServiceOrder, [order for order, _ in batch])
            events = []
            for order, (_, steps) in zip(orders, batch, strict=True):
                for kind, before, after, when in steps:
                    events.append(OrderEvent(order=order, kind=kind, from_status=before, to_status=after,
                                             actor=self.office, actor_name="纲要办", created_at=when))
            _insert(OrderEvent, events)
            made += len(orders)
            self.counts.order_events += len(events)
        self.counts.orders = made
        self.say(f"服务工单：{made}，工单事件：{self.counts.order_events}")

    def _order(self, n: int) -> tuple[Any, list[tuple[str, str, str, datetime.datetime]]]:
        """One order and its steps so far: older orders have mostly gone all the way, recent ones are open."""
        from kepu.service_orders.models import ServiceOrder

        placed = self._when(2 * 365)
        age_days = (self.now - placed).days
        place = self.rng.choice(self.communities or self.towns)
        town = place.parent if place.level == "community" else place
        if age_days > 14:
            status = self.rng.choices(("rated", "completed", "cancelled", "rejected"), (70, 20, 6, 4))[0]
        else:
            status = self.rng.choice((*self.ORDER_PATH[:-1], "cancelled"))
        scheduled = placed + datetime.timedelta(days=self.rng.randrange(2, 10), hours=self.rng.randrange(8, 12))
        order = ServiceOrder(title="社区科普讲座", category=self.rng.choice(self.categories),
                             requester_name=f"居民{n % 1000:03d}", requester_phone=mobile(self.rng), town=town,
                             region=place, address=f"{place.name}活动室", scheduled_at=scheduled,
                             headcount=self.rng.randrange(10, 80), status=status, placed_at=placed,
                             channel=self.rng.choice(("portal", "community")))
        steps = [("placed", "", "placed", placed)]
        stop = {"cancelled": 1 + self.rng.randrange(3), "rejected": 1}.get(status, self.ORDER_PATH.index(status) + 1
                                                                          if status in self.ORDER_PATH else 1)
        when = placed
        stamps = {"dispatched": "dispatched_at", "claimed": "claimed_at", "accepted": "accepted_at",
                  "in_service": "started_at", "completed": "completed_at", "rated": "rated_at"}
        kinds = {"in_service": "started"}
        for before, after in zip(self.ORDER_PATH[:stop - 1], self.ORDER_PATH[1:stop], strict=True):
            when = scheduled if after == "in_service" else when + datetime.timedelta(hours=self.rng.randrange(1, 20))
            if after == "completed":
                when = scheduled + datetime.timedelta(hours=2)
            setattr(order, stamps[after], when)
            steps.append((kinds.get(after, after), before, after, when))
        if order.dispatched_at:
            order.dispatch_unit = self.rng.choice(self.members)
        if order.accepted_at:
            order.team = self.rng.choice(self.teams)
        if order.completed_at:
            order.served_count, order.service_hours = order.headcount, Decimal("1.5")
            order.report = "讲座顺利开展，群众反响良好。"
        if status == "rated":
            order.rating, order.rating_comment = self.rng.choices((5, 4, 3, 2, 1), (60, 25, 10, 3, 2))[0], "讲得很好"
            order.closed_at = order.rated_at
        if status in ("cancelled", "rejected"):
            when += datetime.timedelta(hours=self.rng.randrange(1, 48))
            order.closed_at, order.close_reason = when, "群众取消预约" if status == "cancelled" else "不属于服务范围"
            steps.append((status, steps[-1][2], status, when))
        order.stage_started_at = when
        return _stamp(order, when), steps

    # ------------------------------------------------------------ audit trail

    AUDIT_ACTIONS = (
        ("service_orders.order.dispatch", AuditCategory.WORKFLOW, "serviceorder"),
        ("volunteers.hours.approve", AuditCategory.WORKFLOW, "servicehours"),
        ("plans.report.submit", AuditCategory.WORKFLOW, "progressreport"),
        ("org.unit.update", AuditCategory.UPDATE, "unit"),
        ("auth.login", AuditCategory.LOGIN, "user"),
        ("service_orders.order.export", AuditCategory.EXPORT, "serviceorder"),
    )

    def _audit(self) -> None:
        rows = []
        for n in range(self.n["audit"]):
            action, category, object_type = self.AUDIT_ACTIONS[n % len(self.AUDIT_ACTIONS)]
            actor = self.rng.choice(self.people)
            rows.append(AuditEntry(created_at=self._when(), actor=actor, actor_name=actor.display_name or actor.username,
                                   category=category, action=action, object_type=object_type,
                                   object_id=str(self.rng.randrange(1, 100_000)), object_repr="城市规模数据",
                                   ip=f"10.{n % 250}.{n // 250 % 250}.{n % 7 + 1}", channel="web"))
        self.counts.audit = len(_insert(AuditEntry, rows))
        self.say(f"操作日志：{self.counts.audit}")

    # ------------------------------------------------------------ survey waves

    def _waves(self) -> None:
        """Three waves from the synthetic survey, scaled to the volume and stored as an import stores them."""
        per_wave = self.n["respondents"]
        psu_factor = max(1, round(per_wave / 1660))  # the generator gives about 1,660 × factor respondents
        for year, seed, shift in ((2019, 9019, -1.75), (2021, 9021, -1.65), (2023, 9023, -1.45)):
            rows = _synthetic_wave(f"{year}年昆山市公民科学素质调查{MARK}", year, self.city, seed, shift, psu_factor)
            self.counts.waves += 1
            self.counts.respondents += rows
            self.say(f"{year} 年调查：{rows} 名受访者")


def _synthetic_wave(name: str, year: int, city: Any, seed: int, shift: float, psu_factor: int) -> int:
    """One wave under the national rule, imported through the same validation and storage as an upload."""
    from kepu.literacy import imports, services
    from kepu.literacy import mapping as colmap
    from kepu.literacy import standards as std
    from kepu.literacy import synthetic as syn
    from kepu.literacy.datafiles import RawTable
    from kepu.literacy.models import Instrument

    instrument = Instrument.objects.filter(rule_kind=std.NATIONAL_2022).order_by("-year").first()
    if instrument is None:
        raise AlreadyLoaded("请先载入演示城市：manage.py load_demo（需要其测评工具）")
    rule_set = services.ensure_standard_rule_sets()[std.NATIONAL_2022]
    wave = services.wave_create(actor=SYSTEM, name=name, year=year, region=city, instrument=instrument,
                                rule_set=rule_set, lonely_psu="adjust", ci_method="beta", calibration="raking",
                                notes="城市规模数据：按昆山市各镇人口规模模拟的分层两阶段抽样调查。")
    items = syn.national_items()
    frame = syn.survey(items, seed=seed, shift=shift, psu_factor=psu_factor)
    mapping = colmap.propose(frame.columns, [i.code for i in items])
    imports.wave_import(actor=SYSTEM, wave=wave, table=RawTable(frame=frame, fmt="parquet", first_row=1),
                        mapping=mapping, source="城市规模数据")
    services.margins_replace(actor=SYSTEM, wave=wave, margins=syn.margins(year=year), source="城市规模数据（模拟普查）")
    return frame.height
