"""What each domain contributes to the shells, declared in the domain's `manifest.py`.

The back office builds its navigation and home page from these registries, `load_demo` runs the demo
seeds in order, and the plan ledger asks the indicator providers for live values. A domain never edits
a shell; it registers here (the Decidim manifest idea).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    section: str  # the capability heading in the side navigation, e.g. "组织与权限"
    label: str
    url_name: str
    action: str  # shown only to users who may do this action
    icon: str = "circle"  # a Bootstrap Icons name
    order: int = 100
    section_order: int = 100


@dataclass(frozen=True)
class NavNote:
    """A line in the side navigation that says why a section is missing: shown, under the section's
    heading, to a user holding one of `roles` who may open none of the section's items (e.g. the
    system administrator and the plan ledger, kept apart by separation of duties)."""

    section: str
    text: str
    roles: tuple[str, ...]
    section_order: int = 100


@dataclass(frozen=True)
class Landing:
    """Where a role lands after signing in, and where error pages lead back to. A user with several
    roles lands on the page of the lowest `order` (staff roles before expert, volunteer and public)."""

    role: str
    url_name: str
    label: str  # the page's name in links such as “返回我的志愿服务”
    order: int = 100


@dataclass(frozen=True)
class ReviewQueue:
    """Work an expert reviews (the library's accuracy checks, rumour verdicts …), gathered on one page.
    `items(user)` returns the waiting items as dicts with `title`, `url`, `meta`."""

    key: str
    label: str
    action: str
    items: Callable[[Any], list[dict[str, Any]]]
    order: int = 100


@dataclass(frozen=True)
class HomeCard:
    """A card on the back-office home page; `render(request)` returns HTML or None to hide it."""

    key: str
    action: str
    render: Callable[[Any], str | None]
    order: int = 100


@dataclass(frozen=True)
class DemoSeed:
    name: str
    load: Callable[[], None]
    order: int = 100


@dataclass(frozen=True)
class DemoLogin:
    """A demo account a domain's seed creates, printed by `make run` with the core demo users."""

    username: str
    role: str
    note: str = ""
    order: int = 100


@dataclass(frozen=True)
class IndicatorProvider:
    """A live figure another domain can feed into plan indicators (e.g. the literacy ratio)."""

    code: str
    label: str
    unit_of_measure: str
    value: Callable[..., Any]  # value(year: int | None, region=None) -> Decimal | None
    domain: str = ""


@dataclass(frozen=True)
class PortalTile:
    """A tile on the residents' portal home page."""

    label: str
    text: str
    url_name: str
    icon: str = "circle"
    order: int = 100


@dataclass(frozen=True)
class ScheduledJob:
    """A background task the scheduler enqueues once a day at `hour:minute` (local time), e.g. the task
    lights; or, with `every_minutes`, once in every such slot of the day (e.g. hourly overdue checks)."""

    name: str
    task: Any  # a django.tasks Task (decorated with @task); enqueued with no arguments
    hour: int = 2
    minute: int = 0
    every_minutes: int = 0


@dataclass(frozen=True)
class MembershipScope:
    """A data scope that depends on what a person belongs to (e.g. 本人带领的队伍), registered by the
    domain that owns the memberships; `kepu.core.access` evaluates it like every other scope.

    `load(user)` reads what the user holds (e.g. the paths of the teams they lead) — falsy when nothing;
    it is called at most once per user object, i.e. once per request. `filter(held, path)` is the filter
    of the rows whose lookup `path` (from a model's `ScopeRule.team`; "" = the row itself) leads to one
    of them.
    """

    scope: str  # a kepu.core.roles.DataScope value
    load: Callable[[Any], Any]
    filter: Callable[[Any, str], Any]  # -> django.db.models.Q


@dataclass
class _Registry:
    demo_logins: list[DemoLogin] = field(default_factory=list)
    scheduled_jobs: dict[str, ScheduledJob] = field(default_factory=dict)
    portal_tiles: list[PortalTile] = field(default_factory=list)
    nav: list[NavItem] = field(default_factory=list)
    nav_notes: list[NavNote] = field(default_factory=list)
    landings: list[Landing] = field(default_factory=list)
    review_queues: list[ReviewQueue] = field(default_factory=list)
    my_page_cards: list[HomeCard] = field(default_factory=list)
    home_cards: list[HomeCard] = field(default_factory=list)
    demo_seeds: list[DemoSeed] = field(default_factory=list)
    indicator_providers: dict[str, IndicatorProvider] = field(default_factory=dict)
    membership_scopes: dict[str, MembershipScope] = field(default_factory=dict)


_registry = _Registry()


def add_nav(*items: NavItem) -> None:
    for item in items:
        if item not in _registry.nav:
            _registry.nav.append(item)


def nav_items() -> list[NavItem]:
    return sorted(_registry.nav, key=lambda i: (i.section_order, i.section, i.order, i.label))


def add_nav_note(note: NavNote) -> None:
    if note not in _registry.nav_notes:
        _registry.nav_notes.append(note)


def nav_notes() -> list[NavNote]:
    return sorted(_registry.nav_notes, key=lambda n: (n.section_order, n.section))


def add_landing(landing: Landing) -> None:
    if all(existing.role != landing.role for existing in _registry.landings):
        _registry.landings.append(landing)


def landings() -> list[Landing]:
    return sorted(_registry.landings, key=lambda landing: (landing.order, landing.role))


def add_review_queue(queue: ReviewQueue) -> None:
    if all(q.key != queue.key for q in _registry.review_queues):
        _registry.review_queues.append(queue)


def review_queues() -> list[ReviewQueue]:
    return sorted(_registry.review_queues, key=lambda q: q.order)


def add_my_page_card(card: HomeCard) -> None:
    """A card on a volunteer's own page (我的志愿服务) for what another domain holds for them, e.g. the
    service orders waiting for the team a leader leads; `render(request)` returns HTML or None."""
    if all(c.key != card.key for c in _registry.my_page_cards):
        _registry.my_page_cards.append(card)


def my_page_cards() -> list[HomeCard]:
    return sorted(_registry.my_page_cards, key=lambda c: c.order)


def add_portal_tile(tile: PortalTile) -> None:
    if tile not in _registry.portal_tiles:
        _registry.portal_tiles.append(tile)


def portal_tiles() -> list[PortalTile]:
    return sorted(_registry.portal_tiles, key=lambda t: t.order)


def add_home_card(card: HomeCard) -> None:
    if all(c.key != card.key for c in _registry.home_cards):
        _registry.home_cards.append(card)


def home_cards() -> list[HomeCard]:
    return sorted(_registry.home_cards, key=lambda c: c.order)


def add_demo_seed(seed: DemoSeed) -> None:
    if all(s.name != seed.name for s in _registry.demo_seeds):
        _registry.demo_seeds.append(seed)


def demo_seeds() -> list[DemoSeed]:
    return sorted(_registry.demo_seeds, key=lambda s: s.order)


def add_demo_login(login: DemoLogin) -> None:
    if all(d.username != login.username for d in _registry.demo_logins):
        _registry.demo_logins.append(login)


def demo_logins() -> list[DemoLogin]:
    return sorted(_registry.demo_logins, key=lambda d: (d.order, d.username))


def add_indicator_provider(provider: IndicatorProvider) -> None:
    _registry.indicator_providers[provider.code] = provider


def indicator_providers() -> dict[str, IndicatorProvider]:
    return dict(sorted(_registry.indicator_providers.items()))


def add_scheduled_job(job: ScheduledJob) -> None:
    _registry.scheduled_jobs[job.name] = job


def scheduled_jobs() -> list[ScheduledJob]:
    return sorted(_registry.scheduled_jobs.values(), key=lambda j: (j.hour, j.minute, j.name))


def add_membership_scope(scope: MembershipScope) -> None:
    _registry.membership_scopes[scope.scope] = scope


def membership_scope(scope: str) -> MembershipScope | None:
    return _registry.membership_scopes.get(scope)
