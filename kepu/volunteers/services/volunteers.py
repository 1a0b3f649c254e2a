"""Real-name volunteers: registration on the portal (ID number checked by its check digit, phone proved
by an SMS code), registration and upkeep by administrators, deactivation with a reason.

The ID number is kept in its own unique column (uniqueness needs the number itself) and never leaves
the domain unmasked except to roles granted volunteers.volunteer.view_sensitive; audit snapshots mask
it and the phone (kepu.core.audit). See docs/volunteers.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kepu.core import audit, limits
from kepu.core.access import SYSTEM, deny, require, require_reach, scoped
from kepu.core.errors import ValidationFailed, short_text
from kepu.core.models import AuditCategory
from kepu.core.protected import digest
from kepu.core.roles import Role
from kepu.core.text import is_id_number, is_mobile
from kepu.notifications import phone as phone_codes
from kepu.notifications.models import PhoneVerification
from kepu.org.public import Region
from kepu.volunteers.models import Volunteer

NUMBERS_CHANGED = "身份证号或手机号已更改（日志中脱敏显示）"
VOLUNTEER_FIELDS = ("user", "name", "id_number", "phone", "region", "skills", "is_active", "phone_verified_at")
CODE_TTL = timedelta(minutes=10)
CODE_INTERVAL = timedelta(seconds=60)
CODES_PER_DAY = 10
CODE_ATTEMPTS = 5


# ---------------------------------------------------------------- phone verification

PHONE_PURPOSE = "volunteer_registration"
PHONE_MESSAGE = "【科普平台】您正在登记科技志愿者，验证码 {code}，{minutes} 分钟内有效。如非本人操作请忽略。"


def phone_code_send(*, phone: str) -> PhoneVerification:
    """Send a 6-digit code by SMS (at most one a minute and ten a day per number)."""
    return phone_codes.code_send(phone=phone, purpose=PHONE_PURPOSE, message=PHONE_MESSAGE)


def phone_code_check(*, phone: str, code: str) -> None:
    """Spend the latest registration code sent to `phone` (wrong guesses count even if registration fails)."""
    phone_codes.code_check(phone=phone, code=code, purpose=PHONE_PURPOSE)


# ---------------------------------------------------------------- checks

def clean_id_number(value: str) -> str:
    number = (value or "").strip().upper()
    if not is_id_number(number):
        raise ValidationFailed("身份证号不正确（应为 18 位，末位校验码须正确）", "id_number")
    return number


def _skills(skills: str) -> str:
    """专长 whole or refused (the API takes it as sent; the forms limit it too), never cut silently."""
    return short_text(skills or "", label="专长", field="skills", max_length=200)


def _check_fields(*, name: str, id_number: str, phone: str, exclude: int | None = None) -> str:
    if not name.strip():
        raise ValidationFailed("请填写真实姓名", "name")
    number = clean_id_number(id_number)
    if not is_mobile(phone.strip()):
        raise ValidationFailed("请填写 11 位中国大陆手机号码", "phone")
    if Volunteer.objects.filter(id_number_digest=digest("id_number", number)).exclude(pk=exclude).exists():
        raise ValidationFailed("该身份证号已登记为志愿者", "id_number")
    return number


# ---------------------------------------------------------------- registration on the portal

def volunteer_register(*, actor: Any, name: str, id_number: str, phone: str, code: str, region: Region,
                       skills: str = "", password: str = "") -> Volunteer:
    """A person registers as a volunteer on the portal.

    A signed-in user (a resident, say) links the registration to the own account and gains the role
    志愿者; a visitor gets a new account whose login name is the phone number. The SMS code is checked
    before anything is written.
    """
    limits.take_anonymous(actor)
    signed_in = bool(getattr(actor, "is_authenticated", False)) and getattr(actor, "pk", None)
    number = _check_fields(name=name, id_number=id_number, phone=phone)
    skills = _skills(skills)
    if signed_in and Volunteer.objects.filter(user=actor).exists():
        raise ValidationFailed("您已完成志愿者登记")
    if not signed_in:
        _check_new_account(phone.strip(), password)
    phone_code_check(phone=phone, code=code)
    with transaction.atomic():
        if signed_in:
            user = get_user_model().objects.get(pk=actor.pk)  # the account itself, not request.user's proxy
            _grant_volunteer_role(user)
        else:
            user = _new_account(name=name, phone=phone.strip(), password=password)
        volunteer = Volunteer.objects.create(
            user=user, name=name.strip(), id_number=number, phone=phone.strip(), region=region,
            skills=_skills(skills), phone_verified_at=timezone.now(),
        )
        audit.record(user, "volunteers.volunteer.register", category=AuditCategory.CREATE, obj=volunteer,
                     after=audit.snapshot(volunteer, VOLUNTEER_FIELDS))
    return volunteer


def _check_new_account(phone: str, password: str) -> None:
    from kepu.org.public import User

    if User.objects.filter(username=phone).exists():
        raise ValidationFailed("该手机号已注册账号，请先登录后再登记", "phone")
    if not password:
        raise ValidationFailed("请设置登录密码", "password")


def _new_account(*, name: str, phone: str, password: str) -> Any:
    from kepu.org.public import user_create

    return user_create(actor=SYSTEM, username=phone, password=password, roles=[Role.VOLUNTEER],
                       display_name=name.strip(), phone=phone)


def _grant_volunteer_role(user: Any) -> None:
    from kepu.org.public import user_set_roles

    if Role.VOLUNTEER not in user.role_codes:
        user_set_roles(actor=SYSTEM, user=user, roles=sorted({*user.role_codes, Role.VOLUNTEER}))


# ---------------------------------------------------------------- administrators

def _require_region(actor: Any, region: Region) -> None:
    if not scoped(Region.objects.filter(pk=region.pk), actor, "volunteers.volunteer.change").exists():
        deny(actor, "volunteers.volunteer.change", obj=region)


@transaction.atomic
def volunteer_create(*, actor: Any, name: str, id_number: str, phone: str, region: Region,
                     skills: str = "") -> Volunteer:
    """An administrator registers a volunteer (paper form, walk-in); no account is created."""
    require(actor, "volunteers.volunteer.change")
    _require_region(actor, region)
    number = _check_fields(name=name, id_number=id_number, phone=phone)
    volunteer = Volunteer.objects.create(name=name.strip(), id_number=number, phone=phone.strip(), region=region,
                                         skills=_skills(skills))
    audit.record(actor, "volunteers.volunteer.create", category=AuditCategory.CREATE, obj=volunteer,
                 after=audit.snapshot(volunteer, VOLUNTEER_FIELDS))
    return volunteer


@transaction.atomic
def volunteer_update(*, actor: Any, volunteer: Volunteer, **changes: Any) -> Volunteer:
    require(actor, "volunteers.volunteer.change")
    require_reach(actor, "volunteers.volunteer.change", volunteer)
    before = audit.snapshot(volunteer, VOLUNTEER_FIELDS)
    numbers_before = (volunteer.id_number, volunteer.phone)
    for field, value in changes.items():
        setattr(volunteer, field, value.strip() if isinstance(value, str) else value)
    volunteer.id_number = _check_fields(name=volunteer.name, id_number=volunteer.id_number,
                                        phone=volunteer.phone, exclude=volunteer.pk)
    _require_region(actor, volunteer.region)
    volunteer.save()
    after = audit.snapshot(volunteer, VOLUNTEER_FIELDS)
    numbers_changed = numbers_before != (volunteer.id_number, volunteer.phone)
    if audit.diff(before, after) or numbers_changed:
        # The log shows the numbers masked, so a change hidden by the mask is named in words.
        audit.record(actor, "volunteers.volunteer.update", obj=volunteer, before=before, after=after,
                     reason=NUMBERS_CHANGED if numbers_changed else "")
    return volunteer


@transaction.atomic
def volunteer_update_own(*, actor: Any, skills: str, region: Region) -> Volunteer:
    """A volunteer keeps the own skills and area up to date (name, ID number and phone are fixed)."""
    volunteer = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if volunteer is None:
        raise ValidationFailed("请先完成志愿者实名登记")
    before = audit.snapshot(volunteer, VOLUNTEER_FIELDS)
    volunteer.skills, volunteer.region = _skills(skills), region
    volunteer.save(update_fields=["skills", "region", "updated_at"])
    after = audit.snapshot(volunteer, VOLUNTEER_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "volunteers.volunteer.update_own", obj=volunteer, before=before, after=after)
    return volunteer


@transaction.atomic
def volunteer_deactivate(*, actor: Any, volunteer: Volunteer, reason: str) -> Volunteer:
    """Volunteers are never deleted (their hours stay on record): they are taken off the roll."""
    require(actor, "volunteers.volunteer.change")
    require_reach(actor, "volunteers.volunteer.change", volunteer)
    if not reason.strip():
        raise ValidationFailed("停用须填写原因", "reason")
    before = audit.snapshot(volunteer, VOLUNTEER_FIELDS)
    volunteer.is_active = False
    volunteer.save(update_fields=["is_active", "updated_at"])
    audit.record(actor, "volunteers.volunteer.deactivate", category=AuditCategory.WITHDRAW, obj=volunteer,
                 before=before, after=audit.snapshot(volunteer, VOLUNTEER_FIELDS), reason=reason.strip())
    return volunteer
