"""Who may reach each volunteers page and endpoint (C4). The demo city's volunteers (kepu/volunteers/demo.py)
give the rows: 张浦镇 teams (area admin zhangpu's area; 刘志愿, the demo user 'volunteer', is a plain
member of 张浦镇科普宣讲分队) and 教育局's teams (liaison jiaoyu's unit)."""

from __future__ import annotations

import datetime
from typing import Any

from tests.authz import EVERYONE, OFFICE, Endpoint, Page, PortalPage

AREA = ("admin", "office", "zhangpu")
STAFF = ("admin", "office", "zhangpu", "jiaoyu")
READERS = ("admin", "office", "zhangpu", "jiaoyu", "volunteer")  # volunteers see their own rows (or none)


def objects(cast: dict[str, Any]) -> dict[str, Any]:
    from kepu.volunteers.models import (
        Activity,
        Certificate,
        HoursSource,
        MembershipStatus,
        ServiceHours,
        StarApplication,
        StarObjection,
        TeamMembership,
        Volunteer,
        VolunteerTeam,
    )

    squad = VolunteerTeam.objects.get(name="张浦镇科普宣讲分队")
    member = Volunteer.objects.filter(memberships__team=squad, user=None).order_by("pk").first()
    outsider = Volunteer.objects.filter(memberships__team__name="周市镇老年人数字助力分队").order_by("pk").first()
    in_notice = StarApplication.objects.get(status="in_notice")
    liu = Volunteer.objects.get(user=cast["volunteer"])
    # The demo volunteer also leads a team of its own here (other tables may add more), so whether the
    # volunteer reaches a page never depends on another domain's table.
    led = VolunteerTeam.objects.create(name="授权测试·队长带队分队", level="squad", unit=squad.unit, region=squad.region)
    led.path = f"/{led.pk}/"
    led.save(update_fields=["path"])
    TeamMembership.objects.create(volunteer=liu, team=led, status=MembershipStatus.APPROVED, is_leader=True)
    return {
        "team:squad": squad,
        "team:brigade": squad.parent,
        "team:edu": VolunteerTeam.objects.get(name="昆山市青少年科技教育志愿服务支队"),
        "volunteer:liu": liu,
        "volunteer:member": member,
        "activity:today": Activity.objects.get(title="社区科普讲座：识别保健品骗局"),
        "membership:pending": TeamMembership.objects.create(volunteer=outsider, team=squad,
                                                             status=MembershipStatus.PENDING),
        "membership:member": TeamMembership.objects.get(volunteer=member, team=squad),
        "hours:pending": ServiceHours.objects.create(
            volunteer=member, team=squad, source=HoursSource.MANUAL, title="测试补录", reason="测试",
            served_on=datetime.date.today() - datetime.timedelta(days=1), hours=2),
        "hours:approved": ServiceHours.objects.filter(team=squad, status="approved", volunteer=member).first(),
        "star:submitted": StarApplication.objects.get(status="submitted"),
        "star:in_notice": in_notice,
        "objection": StarObjection.objects.create(application=in_notice, name="测试人", phone="13900000001",
                                                  text="该志愿者部分服务时长存疑，请核实。"),
        "certificate": Certificate.objects.first(),
    }


def _team(o: dict[str, Any]) -> dict[str, Any]:
    return {"team_id": o["team:squad"].pk}


def _activity(o: dict[str, Any]) -> dict[str, Any]:
    return {"activity_id": o["activity:today"].pk}


def _hours(name: str) -> Any:
    return lambda o: {"hours_id": o[name].pk}


def _star(name: str) -> Any:
    return lambda o: {"application_id": o[name].pk}


def _new_team(o: dict[str, Any]) -> dict[str, Any]:
    return {"name": "张浦镇测试分队", "level": "squad", "parent": o["team:brigade"].pk,
            "unit": o["unit:张浦镇科协"].pk, "region": o["region:320583106000"].pk}


def _new_volunteer(o: dict[str, Any]) -> dict[str, Any]:
    return {"name": "测试志愿者", "id_number": "11010519491231002X", "phone": "13912345678",
            "region": o["region:320583106000"].pk, "skills": "测试"}


def _new_activity(o: dict[str, Any]) -> dict[str, Any]:
    start = datetime.datetime.now() + datetime.timedelta(days=2)
    return {"team": o["team:squad"].pk, "title": "测试活动", "place": "文明实践站", "region": o["region:320583106000"].pk,
            "starts_at": start.strftime("%Y-%m-%dT09:00"), "ends_at": start.strftime("%Y-%m-%dT11:00")}


CASES = [
    Page("backoffice:choices", READERS, kwargs=lambda o: {"source": "teams"},
         data=lambda o: {"action": "volunteers.hours.add"}, label="服务队伍"),
    Page("backoffice:choices", READERS, kwargs=lambda o: {"source": "teams"},
         data=lambda o: {"action": "volunteers.team.view"}, label="上级队伍"),
    Page("backoffice:choices", READERS, kwargs=lambda o: {"source": "volunteers"},
         data=lambda o: {"action": "volunteers.volunteer.view"}, label="志愿者"),
    Page("volunteers:team_list", READERS),
    Page("volunteers:team_export", STAFF),
    Page("volunteers:team_import", OFFICE),
    Page("volunteers:team_create", AREA),
    Page("volunteers:team_create", AREA, method="post", data=_new_team, label="张浦镇的新分队"),
    Page("volunteers:team_detail", AREA, kwargs=_team, label="张浦镇分队"),
    Page("volunteers:team_detail", ("admin", "office", "jiaoyu"), kwargs=lambda o: {"team_id": o["team:edu"].pk},
         label="教育局支队"),
    Page("volunteers:team_edit", AREA, kwargs=_team),
    Page("volunteers:team_edit", AREA, method="post", kwargs=_team, label="改名",
         data=lambda o: {"name": "张浦镇科普宣讲分队（改）", "level": "squad", "parent": o["team:brigade"].pk,
                         "unit": o["unit:张浦镇科协"].pk, "region": o["region:320583106000"].pk}),
    Page("volunteers:team_deactivate", AREA, method="post", kwargs=_team, data=lambda o: {"reason": "测试停用"}),
    Page("volunteers:membership_approve", AREA, method="post",
         kwargs=lambda o: {"membership_id": o["membership:pending"].pk}),
    Page("volunteers:membership_reject", AREA, method="post",
         kwargs=lambda o: {"membership_id": o["membership:pending"].pk}, data=lambda o: {"note": "名额已满"}),
    Page("volunteers:membership_leader", AREA, method="post",
         kwargs=lambda o: {"membership_id": o["membership:member"].pk}, data=lambda o: {"is_leader": "1"}),
    Page("volunteers:membership_remove", AREA, method="post",
         kwargs=lambda o: {"membership_id": o["membership:member"].pk}, data=lambda o: {"reason": "调离"}),
    Page("volunteers:volunteer_list", READERS),
    Page("volunteers:volunteer_export", STAFF),
    Page("volunteers:volunteer_import", OFFICE),
    Page("volunteers:volunteer_create", AREA),
    Page("volunteers:volunteer_create", AREA, method="post", data=_new_volunteer, label="张浦镇志愿者"),
    Page("volunteers:volunteer_detail", AREA, kwargs=lambda o: {"volunteer_id": o["volunteer:member"].pk},
         label="张浦镇分队队员"),
    Page("volunteers:volunteer_edit", AREA, kwargs=lambda o: {"volunteer_id": o["volunteer:liu"].pk}),
    Page("volunteers:volunteer_deactivate", AREA, method="post",
         kwargs=lambda o: {"volunteer_id": o["volunteer:liu"].pk}, data=lambda o: {"reason": "迁出"}),
    Page("volunteers:activity_list", READERS),
    Page("volunteers:activity_create", READERS),  # the demo volunteer leads a team here
    Page("volunteers:activity_create", AREA, method="post", data=_new_activity, label="张浦镇分队的活动"),
    Page("volunteers:activity_detail", AREA, kwargs=_activity),
    Page("volunteers:activity_edit", AREA, kwargs=_activity),
    Page("volunteers:activity_display", AREA, kwargs=_activity),
    Page("volunteers:activity_cancel", AREA, method="post", kwargs=_activity, data=lambda o: {"reason": "天气原因"}),
    Page("volunteers:activity_new_code", AREA, method="post", kwargs=_activity),
    Page("volunteers:hours_list", READERS),
    Page("volunteers:hours_create", READERS),
    Page("volunteers:hours_create", AREA, method="post", label="张浦镇分队队员",
         data=lambda o: {"team": o["team:squad"].pk, "volunteer": o["volunteer:member"].pk, "hours": "2",
                         "served_on": datetime.date.today().isoformat(), "title": "社区讲座",
                         "reason": "纸质签到表补录"}),
    Page("volunteers:hours_export", STAFF),
    Page("volunteers:hours_approve", AREA, method="post", kwargs=_hours("hours:pending")),
    Page("volunteers:hours_decline", AREA, method="post", kwargs=_hours("hours:pending"),
         data=lambda o: {"note": "无佐证"}),
    # Granted to every reviewer; it approves only the records within the caller's reach (none for jiaoyu).
    Page("volunteers:hours_approve_many", READERS, method="post", data=lambda o: {"ids": [o["hours:pending"].pk]}),
    Page("volunteers:hours_withdraw", AREA, method="post", kwargs=_hours("hours:approved"),
         data=lambda o: {"reason": "重复登记"}),
    Page("volunteers:star_list", READERS),
    Page("volunteers:star_detail", AREA, kwargs=_star("star:in_notice")),
    Page("volunteers:star_approve", AREA, method="post", kwargs=_star("star:submitted")),
    Page("volunteers:star_return", AREA, method="post", kwargs=_star("star:submitted"),
         data=lambda o: {"note": "时长证明不全"}),
    Page("volunteers:certificate_issue", AREA, method="post", kwargs=_star("star:in_notice")),
    Page("volunteers:objection_handle", AREA, method="post", kwargs=lambda o: {"objection_id": o["objection"].pk},
         data=lambda o: {"uphold": "0", "note": "经核实时长属实"}),
    Page("volunteers:certificate_print", AREA, kwargs=lambda o: {"certificate_id": o["certificate"].pk}),
    Page("volunteers:certificate_revoke", AREA, method="post",
         kwargs=lambda o: {"certificate_id": o["certificate"].pk}, data=lambda o: {"reason": "误发"}),
    Page("volunteers:figures", STAFF),
    Page("volunteers:figures_export", STAFF),
    Endpoint("get", "/api/v1/volunteers/teams", READERS),
    Endpoint("get", "/api/v1/volunteers/teams/{team_id}", AREA, params=_team),
    Endpoint("get", "/api/v1/volunteers/volunteers", READERS),
    Endpoint("get", "/api/v1/volunteers/volunteers/{volunteer_id}", AREA,
             params=lambda o: {"volunteer_id": o["volunteer:member"].pk}),
    Endpoint("get", "/api/v1/volunteers/activities", READERS),
    Endpoint("get", "/api/v1/volunteers/hours", READERS),
    Endpoint("post", "/api/v1/volunteers/hours/{hours_id}/approve", AREA, params=_hours("hours:pending"),
             json=lambda o: {}),
    Endpoint("post", "/api/v1/volunteers/hours/{hours_id}/decline", AREA, params=_hours("hours:pending"),
             json=lambda o: {"note": "无佐证"}),
    Endpoint("post", "/api/v1/volunteers/sign", ("volunteer",),
             json=lambda o: {"code": o["activity:today"].sign_code}),
    Endpoint("get", "/api/v1/volunteers/figures", STAFF),
    Endpoint("get", "/api/v1/volunteers/certificates/verify", (), public=True, query={"code": "ZY-AAAA-BBBB-CCCC"}),
    # Portal (/volunteer/): a signed-in account that is not yet a volunteer is led to register.
    PortalPage("volunteers_portal:home", EVERYONE),  # visitors are welcomed with 立即登记 / 登录
    PortalPage("volunteers_portal:register", EVERYONE),
    PortalPage("volunteers_portal:profile", EVERYONE, anonymous="login"),
    PortalPage("volunteers_portal:teams", EVERYONE, anonymous="login"),
    PortalPage("volunteers_portal:team_join", EVERYONE, anonymous="login", method="post",
               kwargs=lambda o: {"team_id": o["team:squad"].pk}),
    PortalPage("volunteers_portal:membership_leave", (), anonymous="login", method="post",
               kwargs=lambda o: {"membership_id": o["membership:member"].pk}, label="他人的入队记录"),
    PortalPage("volunteers_portal:sign", EVERYONE, anonymous="login"),
    PortalPage("volunteers_portal:sign_qr", EVERYONE, anonymous="login", kwargs=lambda o: {"token": "no-such-code"}),
    PortalPage("volunteers_portal:star_apply", EVERYONE, anonymous="login", method="post"),
    PortalPage("volunteers_portal:star_cancel", (), anonymous="login", method="post",
               kwargs=lambda o: {"application_id": o["star:submitted"].pk}, label="他人的申请"),
    PortalPage("volunteers_portal:notices", EVERYONE),
    PortalPage("volunteers_portal:objection", EVERYONE, method="post",
               kwargs=lambda o: {"application_id": o["star:in_notice"].pk}),
    PortalPage("volunteers_portal:verify", EVERYONE),
]
