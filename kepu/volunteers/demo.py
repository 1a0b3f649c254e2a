"""The demo city's volunteers: teams under a few units in several towns (支队 → 大队 → 分队), about a
hundred volunteers with synthetic names and synthetic ID numbers (valid check digit, fictitious
people), a year of activities with sign-ins and hours (approved, pending, declined), one star
application in public notice, one awaiting review, one certificate issued. The demo user 'volunteer'
(刘志愿) is a member of 张浦镇科普宣讲分队 with some hours; 'duizhang' (王队长) leads 张浦镇科技志愿服务大队.

Structure goes through the services (teams, registrations, memberships, leaders); the year of history
is written in bulk with backdated times, which no service offers. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import SYSTEM
from kepu.core.models import AuditCategory
from kepu.core.roles import Role
from kepu.org.public import Region, Unit, User
from kepu.volunteers import rules, services
from kepu.volunteers.models import (
    Activity,
    Attendance,
    Certificate,
    HoursSource,
    HoursStatus,
    MembershipStatus,
    ServiceHours,
    SignChannel,
    StarApplication,
    StarStatus,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

ROOT = "昆山市科协科技志愿服务支队"

# (name, level, parent, unit, region code)
TEAMS = [
    (ROOT, "detachment", None, "昆山市科学技术协会", "320583000000"),
    ("张浦镇科技志愿服务大队", "brigade", ROOT, "张浦镇科协", "320583106000"),
    ("张浦镇科普宣讲分队", "squad", "张浦镇科技志愿服务大队", "张浦镇科协", "320583106000"),
    ("张浦镇应急救护分队", "squad", "张浦镇科技志愿服务大队", "张浦镇科协", "320583106000"),
    ("周市镇科技志愿服务大队", "brigade", ROOT, "周市镇人民政府", "320583102000"),
    ("周市镇老年人数字助力分队", "squad", "周市镇科技志愿服务大队", "周市镇人民政府", "320583102000"),
    ("千灯镇科技志愿服务大队", "brigade", ROOT, "千灯镇人民政府", "320583108000"),
    ("千灯镇农技服务分队", "squad", "千灯镇科技志愿服务大队", "昆山市农业农村局", "320583108000"),
    ("玉山镇科技志愿服务大队", "brigade", ROOT, "昆山市科学技术协会", "320583100000"),
    ("玉山镇青少年科创分队", "squad", "玉山镇科技志愿服务大队", "昆山市青少年科技教育协会", "320583100000"),
    ("昆山市卫生健康科技志愿服务支队", "detachment", None, "昆山市卫生健康委员会", "320583000000"),
    ("昆山市医学会健康科普大队", "brigade", "昆山市卫生健康科技志愿服务支队", "昆山市医学会", "320583000000"),
    ("巴城镇健康科普进社区分队", "squad", "昆山市医学会健康科普大队", "昆山市医学会", "320583101000"),
    ("昆山市青少年科技教育志愿服务支队", "detachment", None, "昆山市教育局", "320583000000"),
    ("昆山市第一中学科技辅导分队", "squad", "昆山市青少年科技教育志愿服务支队", "昆山市第一中学", "320583100000"),
]

# The squads volunteers join, with what their activities are about and the skills of their members.
SQUADS = {
    "张浦镇科普宣讲分队": (["社区科普讲座：远离电信网络诈骗", "全国科普日·张浦镇科普集市", "垃圾分类知识进小区"],
                   ["科普宣讲", "法律", "环保"], 18),
    "张浦镇应急救护分队": (["心肺复苏与AED使用培训", "防灾减灾日应急演练", "夏季防溺水安全课"],
                   ["应急救护", "医疗卫生"], 12),
    "周市镇老年人数字助力分队": (["教老年人用智能手机挂号", "识别网络谣言小课堂", "数字生活体验日"],
                      ["数字技能", "信息技术"], 14),
    "千灯镇农技服务分队": (["水稻病虫害绿色防控田间课", "设施蔬菜栽培技术指导", "农产品电商直播培训"],
                   ["农业技术", "植物保护", "电子商务"], 14),
    "玉山镇青少年科创分队": (["青少年编程与机器人体验", "科技馆研学导览", "小小气象员实践课"],
                     ["青少年科技教育", "信息技术"], 14),
    "巴城镇健康科普进社区分队": (["高血压与糖尿病健康讲座", "合理用药咨询义诊", "老年人防跌倒科普"],
                      ["医疗卫生", "药学", "健康管理"], 14),
    "昆山市第一中学科技辅导分队": (["校园科技节辅导", "青少年科技创新大赛备赛指导"], ["青少年科技教育", "物理", "生物"], 10),
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["建国", "秀英", "丽娟", "志强", "海燕", "国华", "伟", "芳", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "玉兰", "晓东", "文斌", "晨曦", "雨萱", "浩然",
         "子涵", "欣怡", "梓轩", "思远", "佳怡", "宇航", "梦琪", "俊杰", "婷婷", "红梅", "卫东", "春燕", "立新"]
DECLINE_NOTES = ["签到地点与活动地点不符，经核实未参加服务", "与同日另一活动时长重复"]


def synthetic_id_number(birth: datetime.date, sequence: int) -> str:
    """A fictitious ID number of someone born in 昆山市 with a valid check digit (GB 11643-1999)."""
    body = f"320583{birth:%Y%m%d}{sequence % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, rules_weights(), strict=True))
    return body + "10X98765432"[total % 11]


def rules_weights() -> tuple[int, ...]:
    return (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _teams() -> dict[str, VolunteerTeam]:
    teams: dict[str, VolunteerTeam] = {}
    for name, level, parent, unit, region in TEAMS:
        teams[name] = services.team_create(actor=SYSTEM, name=name, level=level, parent=teams.get(parent or ""),
                                           unit=Unit.objects.get(name=unit), region=Region.objects.get(code=region))
    return teams


def _volunteers(teams: dict[str, VolunteerTeam], rng: random.Random) -> dict[str, list[Volunteer]]:
    members: dict[str, list[Volunteer]] = {}
    sequence = 0
    for squad, (_, skills, size) in SQUADS.items():
        team = teams[squad]
        for _ in range(size):
            sequence += 1
            name = SURNAMES[(sequence * 7) % len(SURNAMES)] + GIVEN[(sequence * 5 + sequence // 7) % len(GIVEN)]
            birth = datetime.date(1955 + rng.randrange(0, 48), rng.randrange(1, 13), rng.randrange(1, 29))
            volunteer = services.volunteer_create(
                actor=SYSTEM, name=name, id_number=synthetic_id_number(birth, 100 + sequence),
                phone=f"139{sequence:04d}{rng.randrange(0, 10000):04d}", region=team.region,
                skills="、".join(rng.sample(skills, k=min(2, len(skills)))))
            _join(volunteer, team)
            members.setdefault(squad, []).append(volunteer)
    return members


def _join(volunteer: Volunteer, team: VolunteerTeam, *, leader: bool = False) -> TeamMembership:
    membership = TeamMembership.objects.create(volunteer=volunteer, team=team, status=MembershipStatus.PENDING)
    services.membership_approve(actor=SYSTEM, membership=membership, note="演示数据")
    if leader:
        services.membership_set_leader(actor=SYSTEM, membership=membership, is_leader=True)
    return membership


def _demo_accounts(teams: dict[str, VolunteerTeam], members: dict[str, list[Volunteer]]) -> Volunteer:
    """刘志愿 (the demo user 'volunteer') joins a squad; 王队长 ('duizhang') leads the 张浦镇 brigade."""
    from kepu.org.public import DEMO_PASSWORD, user_create

    zhangpu = Region.objects.get(code="320583106000")
    liu = Volunteer.objects.create(user=User.objects.get(username="volunteer"), name="刘志愿",
                                   id_number=synthetic_id_number(datetime.date(1990, 5, 4), 7),
                                   phone="13800000007", region=zhangpu, skills="科普宣讲、信息技术",
                                   phone_verified_at=timezone.now())
    _join(liu, teams["张浦镇科普宣讲分队"])
    members["张浦镇科普宣讲分队"].append(liu)
    leader_user = User.objects.filter(username="duizhang").first() or user_create(
        actor=SYSTEM, username="duizhang", password=DEMO_PASSWORD, roles=[Role.VOLUNTEER], display_name="王队长",
        phone="13800000010")
    leader = Volunteer.objects.create(user=leader_user, name="王队长",
                                      id_number=synthetic_id_number(datetime.date(1978, 10, 1), 10),
                                      phone="13800000010", region=zhangpu, skills="应急救护、科普宣讲",
                                      phone_verified_at=timezone.now())
    _join(leader, teams["张浦镇科技志愿服务大队"], leader=True)
    _join(leader, teams["张浦镇应急救护分队"])
    return leader


def _history(teams: dict[str, VolunteerTeam], members: dict[str, list[Volunteer]], rng: random.Random,
             reviewer: User) -> None:
    """About eleven months of activities: sign-ins and sign-outs, and the hours they produced."""
    now = timezone.localtime()
    today = now.date()
    rows: list[tuple[Attendance, ServiceHours]] = []
    for squad, (titles, _, _) in SQUADS.items():
        team = teams[squad]
        for index in range(8):
            days_ago = 12 + index * 40 + rng.randrange(0, 20)
            start = (now - datetime.timedelta(days=days_ago)).replace(hour=rng.choice((9, 14)), minute=0, second=0,
                                                                      microsecond=0)
            length = rng.choice((2, 2, 3, 4))
            activity = _activity(team, titles[index % len(titles)], start, start + datetime.timedelta(hours=length))
            for volunteer in rng.sample(members[squad], k=min(len(members[squad]), rng.randrange(5, 10))):
                rows.append(_attended(activity, volunteer, rng, reviewer, today))
        _upcoming(team, titles[0], now)
    Attendance.objects.bulk_create([a for a, _ in rows], batch_size=1000)
    for attendance, hours in rows:
        hours.attendance = attendance  # now with its id
    ServiceHours.objects.bulk_create([h for _, h in rows], batch_size=1000)
    # A sign-in record's hours are recorded at its sign-out, not when the demo loads.
    signed_out = Attendance.objects.filter(pk=OuterRef("attendance_id")).values("signed_out_at")[:1]
    ServiceHours.objects.filter(source=HoursSource.SIGN_IN, attendance__isnull=False).update(
        created_at=Subquery(signed_out))


def _activity(team: VolunteerTeam, title: str, start: datetime.datetime, end: datetime.datetime) -> Activity:
    activity = Activity(team=team, title=title, place=f"{team.region.name}新时代文明实践站", region=team.region,
                        starts_at=start, ends_at=end)
    services.activities._unique_codes(activity)
    # Published a week ahead, as a team does, rather than at the moment the demo loads.
    Activity.objects.filter(pk=activity.pk).update(created_at=start - datetime.timedelta(days=7))
    return activity


def _attended(activity: Activity, volunteer: Volunteer, rng: random.Random, reviewer: User,
              today: datetime.date) -> tuple[Attendance, ServiceHours]:
    signed_in = activity.starts_at + datetime.timedelta(minutes=rng.randrange(-20, 15))
    signed_out = activity.ends_at + datetime.timedelta(minutes=rng.randrange(-25, 30))
    attendance = Attendance(activity=activity, volunteer=volunteer, signed_in_at=signed_in, signed_out_at=signed_out,
                            channel=rng.choice(SignChannel.values))
    hours = rules.attendance_hours(signed_in_at=signed_in, signed_out_at=signed_out, starts_at=activity.starts_at,
                                   ends_at=activity.ends_at)
    recent = (today - activity.starts_at.date()).days < 30
    status = HoursStatus.PENDING if recent else HoursStatus.APPROVED
    note = ""
    if not recent and rng.random() < 0.04:
        status, note = HoursStatus.DECLINED, rng.choice(DECLINE_NOTES)
    reviewed = status != HoursStatus.PENDING
    return attendance, ServiceHours(
        volunteer=volunteer, team=activity.team, source=HoursSource.SIGN_IN, activity=activity,
        title=activity.title, served_on=timezone.localdate(signed_in), hours=hours, status=status,
        created_by=volunteer.user, reviewed_by=reviewer if reviewed else None,
        reviewed_at=activity.ends_at + datetime.timedelta(days=2) if reviewed else None, review_note=note,
    )


def _upcoming(team: VolunteerTeam, title: str, now: datetime.datetime) -> None:
    start = (now + datetime.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    _activity(team, f"{title}（下期）", start, start + datetime.timedelta(hours=3))


def _today(teams: dict[str, VolunteerTeam]) -> Activity:
    """An activity under way while the demo runs: sign in and out with its code."""
    now = timezone.now()
    start = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
    return _activity(teams["张浦镇科普宣讲分队"], "社区科普讲座：识别保健品骗局", start, start + datetime.timedelta(hours=4))


def _manual(volunteer: Volunteer, team: VolunteerTeam, hours: int, reviewer: User, *, years_ago: int = 1) -> None:
    """Earlier years' hours carried over from the paper ledger (管理员补录, approved)."""
    day = timezone.localdate().replace(month=6, day=15) - datetime.timedelta(days=365 * years_ago)
    # Transcribed once the paper ledger's last day was over (at least a week later), and approved then.
    recorded = max(timezone.now() - datetime.timedelta(days=300),
                   datetime.datetime.combine(day + datetime.timedelta(days=7), datetime.time(10),
                                             timezone.get_current_timezone()))
    while hours > 0:
        chunk = min(hours, 24)
        record = ServiceHours.objects.create(
            volunteer=volunteer, team=team, source=HoursSource.MANUAL, title="历年服务时长（纸质台账转录）",
            served_on=day, hours=Decimal(chunk), reason="平台上线前的服务时长，依纸质台账转录",
            evidence_note="纸质签到表存档于队部", status=HoursStatus.APPROVED, reviewed_by=reviewer,
            reviewed_at=recorded + datetime.timedelta(hours=2), review_note="已核对纸质台账")
        ServiceHours.objects.filter(pk=record.pk).update(created_at=recorded)
        hours -= chunk
        day -= datetime.timedelta(days=7)


def _stars(teams: dict[str, VolunteerTeam], members: dict[str, list[Volunteer]], reviewer: User) -> None:
    squad = "张浦镇应急救护分队"
    certified, noticed, waiting = members[squad][0], members[squad][1], members["张浦镇科普宣讲分队"][0]
    _manual(certified, teams[squad], 330, reviewer, years_ago=2)
    _manual(noticed, teams[squad], 110, reviewer)
    _manual(waiting, teams["张浦镇科普宣讲分队"], 104, reviewer)
    _manual(members["张浦镇科普宣讲分队"][-1], teams["张浦镇科普宣讲分队"], 12, reviewer)  # 刘志愿
    from kepu.volunteers.selectors import approved_hours_total

    # A certificate issued two months ago, after its notice.
    issued = timezone.localdate() - datetime.timedelta(days=60)
    start, end = rules.notice_period(issued - datetime.timedelta(days=14))
    application = StarApplication.objects.create(
        volunteer=certified, team=teams[squad], level=rules.star_level_for(approved_hours_total(certified)),
        hours_at_application=approved_hours_total(certified), status=StarStatus.CERTIFIED, reviewed_by=reviewer,
        reviewed_at=timezone.now() - datetime.timedelta(days=74), review_note="服务记录完整，同意",
        notice_starts_on=start, notice_ends_on=end)
    StarApplication.objects.filter(pk=application.pk).update(  # applied a week before its review
        created_at=application.reviewed_at - datetime.timedelta(days=7))
    certificate = Certificate.objects.create(
        application=application, volunteer=certified, level=application.level,
        hours=application.hours_at_application, code=rules.new_certificate_code(), issued_on=issued,
        issuing_unit=teams[squad].unit, issued_by=reviewer)
    Certificate.objects.filter(pk=certificate.pk).update(created_at=datetime.datetime.combine(
        issued, datetime.time(10), timezone.get_current_timezone()))
    # One application in public notice (approved through the service, so the notice starts today).
    for volunteer, approve in ((noticed, True), (waiting, False)):
        application = StarApplication.objects.create(
            volunteer=volunteer, team=teams[squad] if approve else teams["张浦镇科普宣讲分队"], level=1,
            hours_at_application=approved_hours_total(volunteer), statement="长期参加社区科普与应急救护志愿服务。")
        if approve:
            services.star_approve(actor=User.objects.get(username="zhangpu"), application=application,
                                  note="经核实，服务时长属实")


@transaction.atomic
def load() -> None:
    if VolunteerTeam.objects.filter(name=ROOT).exists():
        return
    rng = random.Random(2026)
    teams = _teams()
    members = _volunteers(teams, rng)
    _demo_accounts(teams, members)
    reviewer = User.objects.get(username="office")
    _history(teams, members, rng, reviewer)
    _today(teams)
    _stars(teams, members, reviewer)
    audit.record(SYSTEM, "volunteers.demo.load", category=AuditCategory.SYSTEM, object_repr="科技志愿服务演示数据",
                 reason=f"队伍 {len(teams)} 支，志愿者 {Volunteer.objects.count()} 人")
