"""Star levels (星级志愿者): the volunteer applies when the approved hours reach a level; the unit of the
chosen team reviews (approve, or return with a reason); approval opens a public notice of at least five
working days during which anyone may object; after it, with no objection open, the unit or the office
issues a certificate whose code anyone can verify on the portal."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kepu.core import audit, limits
from kepu.core.access import require, require_reach
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.core.models import AuditCategory
from kepu.core.text import is_mobile
from kepu.core.transitions import transition
from kepu.notifications.services import notify
from kepu.volunteers import rules, states
from kepu.volunteers.models import (
    OPEN_STAR_STATUSES,
    Certificate,
    MembershipStatus,
    ObjectionStatus,
    StarApplication,
    StarLevel,
    StarObjection,
    StarStatus,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

APPLICATION_FIELDS = ("volunteer", "team", "level", "hours_at_application", "status", "reviewed_by",
                      "reviewed_at", "review_note", "notice_starts_on", "notice_ends_on")
CERTIFICATE_FIELDS = ("application", "volunteer", "level", "hours", "code", "issued_on", "issuing_unit",
                      "withdrawn_at", "withdrawal_reason")


def certified_level(volunteer: Volunteer) -> int:
    """The highest star level on a valid (not revoked) certificate, 0 for none."""
    levels = Certificate.objects.filter(volunteer=volunteer, withdrawn_at=None).values_list("level", flat=True)
    return max(levels, default=0)


def eligible_level(volunteer: Volunteer) -> int:
    """The star level the volunteer may apply for now (0 when none is reached above the certified one)."""
    from kepu.volunteers.selectors import approved_hours_total

    level = rules.star_level_for(approved_hours_total(volunteer))
    return level if level > certified_level(volunteer) else 0


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _prefixes(path: str) -> list[str]:
    """"/3/17/" → ["/3/", "/3/17/"]: the path of every ancestor and of the node itself."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _unit_staff(team: VolunteerTeam) -> list[Any]:
    """Who reviews stars for this team: liaisons of its unit (or a unit above it) and the area
    administrators of its area; the office when nobody else is there."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from kepu.core.roles import Role

    users = get_user_model().objects.filter(is_active=True)
    regions = _prefixes(team.region.path)
    liaisons = users.filter(role_assignments__role=Role.LIAISON, unit__path__in=_prefixes(team.unit.path))
    areas = users.filter(role_assignments__role=Role.AREA_ADMIN).filter(
        Q(region__path__in=regions) | Q(region__isnull=True, unit__region__path__in=regions))
    people = {u.pk: u for u in [*liaisons, *areas]}
    if not people:
        people = {u.pk: u for u in users.filter(role_assignments__role=Role.OFFICE)}
    return list(people.values())


@transaction.atomic
def star_apply(*, actor: Any, team: VolunteerTeam, statement: str = "") -> StarApplication:
    require(actor, "volunteers.star.apply")
    volunteer = Volunteer.objects.select_for_update().filter(user_id=getattr(actor, "pk", None)).first()
    if volunteer is None or not volunteer.is_active:
        raise ValidationFailed("请先完成志愿者实名登记")
    if not TeamMembership.objects.filter(volunteer=volunteer, team=team, status=MembershipStatus.APPROVED).exists():
        raise ValidationFailed("请选择您已加入的队伍，由其所属单位审核", "team")
    if StarApplication.objects.filter(volunteer=volunteer, status__in=OPEN_STAR_STATUSES).exists():
        raise WorkflowError("您已有一份正在办理的星级申请")
    from kepu.volunteers.selectors import approved_hours_total

    hours = approved_hours_total(volunteer)
    level = rules.star_level_for(hours)
    current = certified_level(volunteer)
    if level <= current:
        step = rules.next_star_level(current)
        need = f"，申请{StarLevel(step[0]).label}需 {step[1]} 小时" if step else ""
        raise ValidationFailed(f"您已认定的服务时长为 {hours} 小时{need}")
    application = StarApplication.objects.create(volunteer=volunteer, team=team, level=level,
                                                 hours_at_application=hours, statement=statement.strip())
    audit.record(actor, "volunteers.star.apply", category=AuditCategory.CREATE, obj=application,
                 after=audit.snapshot(application, APPLICATION_FIELDS))
    notify(_unit_staff(team), title=f"{volunteer.name}申请{StarLevel(level).label}志愿者认定",
           link=f"/office/volunteers/stars/{application.pk}/", kind="volunteers.star.apply")
    return application


def _move(actor: Any, application: StarApplication, verb: str, note: str = "", *,
          action: str = "volunteers.star.review") -> str:
    """Check the actor may do `verb` to this application; returns the new status (nothing saved)."""
    require(actor, action)
    require_reach(actor, action, application)
    if application.volunteer.user_id and application.volunteer.user_id == getattr(actor, "pk", None):
        raise WorkflowError("不能审核本人的星级申请")
    target = states.next_status(states.STAR, verb, application.status, StarStatus(application.status).label)
    if verb in ("return", "reject") and not note.strip():
        raise ValidationFailed("须填写理由", "note")
    return target


def _save(actor: Any, application: StarApplication, verb: str, target: str, note: str, before: dict,
          **changes: Any) -> None:
    # One conditional UPDATE: two reviewers deciding at once get one success and one 已被他人处理.
    transition(application, to=target, actor=actor, action=f"volunteers.star.{verb}", reviewed_by=_user(actor),
               reviewed_at=timezone.now(), review_note=note.strip()[:300], **changes)
    audit.record(actor, f"volunteers.star.{verb}", category=AuditCategory.WORKFLOW, obj=application,
                 before=before, after=audit.snapshot(application, APPLICATION_FIELDS), reason=application.review_note)


@transaction.atomic
def star_approve(*, actor: Any, application: StarApplication, note: str = "") -> StarApplication:
    """The unit approves: the public notice starts today (or the next working day) for 5 working days."""
    target = _move(actor, application, "approve", note)
    before = audit.snapshot(application, APPLICATION_FIELDS)
    starts, ends = rules.notice_period(timezone.localdate())
    _save(actor, application, "approve", target, note, before, notice_starts_on=starts, notice_ends_on=ends)
    notify([application.volunteer.user], title=f"您的{application.get_level_display()}志愿者申请已通过审核，进入公示",
           body=f"公示期 {application.notice_starts_on:%Y年%-m月%-d日} 至 {application.notice_ends_on:%Y年%-m月%-d日}",
           link="/volunteer/", kind="volunteers.star.approve")
    return application


@transaction.atomic
def star_return(*, actor: Any, application: StarApplication, note: str) -> StarApplication:
    target = _move(actor, application, "return", note)
    _save(actor, application, "return", target, note, audit.snapshot(application, APPLICATION_FIELDS))
    notify([application.volunteer.user], title=f"您的{application.get_level_display()}志愿者申请被退回",
           body=application.review_note, link="/volunteer/", kind="volunteers.star.return")
    return application


@transaction.atomic
def star_cancel(*, actor: Any, application: StarApplication) -> StarApplication:
    """The volunteer withdraws the own application while it awaits review."""
    if application.volunteer.user_id != getattr(actor, "pk", None):
        from kepu.core.access import deny

        deny(actor, "volunteers.star.apply", obj=application)
    before = audit.snapshot(application, APPLICATION_FIELDS)
    transition(application, to=states.next_status(states.STAR, "cancel", application.status,
                                                  StarStatus(application.status).label),
               actor=actor, action="volunteers.star.cancel")
    audit.record(actor, "volunteers.star.cancel", category=AuditCategory.WORKFLOW, obj=application, before=before,
                 after=audit.snapshot(application, APPLICATION_FIELDS))
    return application


# ---------------------------------------------------------------- public notice and objections

def in_notice_today(application: StarApplication) -> bool:
    """Open for objections from the moment the notice is published (approval) to its last day. An
    approval on a Saturday counts its five working days from Monday, but a resident who reads the
    notice on Sunday may already object."""
    return (application.status == StarStatus.IN_NOTICE and application.notice_ends_on is not None
            and timezone.localdate() <= application.notice_ends_on)


@transaction.atomic
def objection_file(*, actor: Any, application: StarApplication, name: str, phone: str, text: str) -> StarObjection:
    """Anyone (signed in or not) objects to an application during its public notice, with a way to reach them."""
    if not in_notice_today(application):
        raise WorkflowError("该公示不在公示期内")
    limits.take_anonymous(actor)
    if not name.strip():
        raise ValidationFailed("请填写姓名", "name")
    if not is_mobile(phone.strip()):
        raise ValidationFailed("请填写 11 位手机号码，以便核实", "phone")
    if len(text.strip()) < 10:
        raise ValidationFailed("请具体说明异议（至少 10 个字）", "text")
    objection = StarObjection.objects.create(application=application, name=name.strip()[:50],
                                             phone=phone.strip(), text=text.strip()[:2000])
    audit.record(actor, "volunteers.star.objection", category=AuditCategory.CREATE, obj=objection,
                 after={"application": application.pk, "name": objection.name, "phone": phone.strip()[:3] + "****"})
    notify(_unit_staff(application.team), title=f"{application.volunteer.name}的星级公示收到异议",
           link=f"/office/volunteers/stars/{application.pk}/", kind="volunteers.star.objection")
    return objection


@transaction.atomic
def objection_handle(*, actor: Any, objection: StarObjection, uphold: bool, note: str) -> StarObjection:
    """Decide an objection; one upheld means the application is not certified (不予认定)."""
    action = "volunteers.star.review"
    require(actor, action)
    require_reach(actor, action, objection.application)
    verb = "uphold" if uphold else "dismiss"
    target = states.next_status(states.OBJECTION, verb, objection.status, ObjectionStatus(objection.status).label)
    if not note.strip():
        raise ValidationFailed("请填写核实情况与处理意见", "note")
    objection.status, objection.handled_by, objection.handled_at = target, _user(actor), timezone.now()
    objection.handling_note = note.strip()[:300]
    objection.save()
    audit.record(actor, f"volunteers.star.objection_{verb}", category=AuditCategory.WORKFLOW, obj=objection,
                 after={"status": target, "note": objection.handling_note})
    application = objection.application
    if uphold and application.status == StarStatus.IN_NOTICE:
        target = _move(actor, application, "reject", note)
        _save(actor, application, "reject", target, f"公示异议成立：{note.strip()}",
              audit.snapshot(application, APPLICATION_FIELDS))
        notify([application.volunteer.user], title=f"您的{application.get_level_display()}志愿者申请经公示不予认定",
               body=application.review_note, link="/volunteer/", kind="volunteers.star.reject")
    return objection


def notices_ended_remind(*, today: datetime.date | None = None) -> int:
    """Tell the reviewing unit's staff, the day after a notice ends, that the certificate can be issued
    (or that objections wait). Run daily by the scheduler; returns how many applications it covered."""
    today = today or timezone.localdate()
    ended = StarApplication.objects.filter(status=StarStatus.IN_NOTICE, notice_ends_on=today - datetime.timedelta(days=1))
    count = 0
    for application in ended.select_related("volunteer", "team__unit", "team__region"):
        waiting = application.objections.filter(status=ObjectionStatus.OPEN).count()
        what = f"尚有 {waiting} 条异议待处理" if waiting else "可签发证书"
        title = f"{application.volunteer.name}的星级公示已期满，{what}"
        notify(_unit_staff(application.team), title=title, link=f"/office/volunteers/stars/{application.pk}/",
               kind="volunteers.star.notice_ended")
        count += 1
    return count


# ---------------------------------------------------------------- certificates

def _new_certificate(application: StarApplication, actor: Any) -> Certificate:
    for _ in range(20):
        certificate = Certificate(
            application=application, volunteer=application.volunteer, level=application.level,
            hours=application.hours_at_application, code=rules.new_certificate_code(),
            issued_on=timezone.localdate(), issuing_unit=application.team.unit, issued_by=_user(actor),
        )
        try:
            with transaction.atomic():
                certificate.save()
            return certificate
        except IntegrityError:
            if Certificate.objects.filter(application=application).exists():
                raise WorkflowError("该申请已发证") from None
    raise ValidationFailed("证书编号生成失败，请重试")


@transaction.atomic
def certificate_issue(*, actor: Any, application: StarApplication) -> Certificate:
    """Issue the certificate once the notice period has passed with no objection open."""
    action = "volunteers.certificate.issue"
    application = StarApplication.objects.select_for_update().select_related("team__unit", "volunteer").get(
        pk=application.pk)
    target = _move(actor, application, "certify", action=action)
    if application.notice_ends_on is None or timezone.localdate() <= application.notice_ends_on:
        raise WorkflowError(f"公示期至 {application.notice_ends_on:%Y年%-m月%-d日}，期满后方可发证")
    if application.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise WorkflowError("尚有未处理的公示异议，处理后方可发证")
    before = audit.snapshot(application, APPLICATION_FIELDS)
    application.status = target
    application.save(update_fields=["status", "updated_at"])
    certificate = _new_certificate(application, actor)
    audit.record(actor, "volunteers.star.certify", category=AuditCategory.WORKFLOW, obj=application,
                 before=before, after=audit.snapshot(application, APPLICATION_FIELDS))
    audit.record(actor, action, category=AuditCategory.CREATE, obj=certificate,
                 after=audit.snapshot(certificate, CERTIFICATE_FIELDS))
    notify([application.volunteer.user], title=f"您的{certificate.get_level_display()}志愿者证书已签发",
           body=f"证书查验码 {certificate.code}", link="/volunteer/", kind="volunteers.certificate.issue")
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate issued in error; verification then shows it as revoked."""
    action = "volunteers.certificate.issue"
    require(actor, action)
    require_reach(actor, action, certificate.application)
    if certificate.is_withdrawn:
        raise WorkflowError("该证书已撤销")
    if not reason.strip():
        raise ValidationFailed("撤销证书须填写原因", "reason")
    before = audit.snapshot(certificate, CERTIFICATE_FIELDS)
    transition(certificate, to=timezone.now(), status_field="withdrawn_at", actor=actor,
               action="volunteers.certificate.revoke", withdrawn_by=_user(actor), withdrawal_reason=reason.strip())
    audit.record(actor, "volunteers.certificate.revoke", category=AuditCategory.WITHDRAW, obj=certificate,
                 before=before, after=audit.snapshot(certificate, CERTIFICATE_FIELDS), reason=reason.strip())
    return certificate
