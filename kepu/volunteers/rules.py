"""The domain's pure rules: hours arithmetic, star thresholds, the public-notice working days, codes.

No database access here, so each rule is tested by known answers.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

HALF = Decimal("0.5")

# 星级志愿者: approved hours needed for each star level (1–5).
STAR_THRESHOLDS: dict[int, Decimal] = {1: Decimal(100), 2: Decimal(300), 3: Decimal(600), 4: Decimal(1000),
                                       5: Decimal(1500)}

NOTICE_WORKING_DAYS = 5
SIGN_IN_OPENS_BEFORE = datetime.timedelta(hours=1)  # sign-in opens an hour before the start
SIGN_OUT_CLOSES_AFTER = datetime.timedelta(hours=2)  # and sign-out closes two hours after the end


def round_to_half(hours: Decimal) -> Decimal:
    """To the nearest half hour, halves up: 1 h 14 min → 1.0, 1 h 15 min → 1.5."""
    return ((hours / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF).quantize(Decimal("0.1"))


def floor_to_half(hours: Decimal) -> Decimal:
    return ((hours / HALF).quantize(Decimal(1), rounding=ROUND_FLOOR) * HALF).quantize(Decimal("0.1"))


def _hours(delta: datetime.timedelta) -> Decimal:
    return Decimal(int(delta.total_seconds())) / Decimal(3600)


def attendance_hours(*, signed_in_at: datetime.datetime, signed_out_at: datetime.datetime,
                     starts_at: datetime.datetime, ends_at: datetime.datetime) -> Decimal:
    """Hours earned at an activity: sign-out − sign-in, to the nearest half hour, never more than the
    activity lasts (its length rounded down to a half hour), never negative."""
    served = max(_hours(signed_out_at - signed_in_at), Decimal(0))
    return min(round_to_half(served), floor_to_half(_hours(ends_at - starts_at)))


def star_level_for(hours: Decimal) -> int:
    """The highest star level these approved hours reach (0 for none)."""
    return max((level for level, needed in STAR_THRESHOLDS.items() if hours >= needed), default=0)


def next_star_level(certified: int) -> tuple[int, Decimal] | None:
    """The next level above `certified` and the hours it needs, or None at five stars."""
    for level, needed in STAR_THRESHOLDS.items():
        if level > certified:
            return level, needed
    return None


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday. Public holidays and make-up working days are not modelled (see docs/volunteers.md)."""
    return day.weekday() < 5


def next_working_day(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def notice_period(approved_on: datetime.date, working_days: int = NOTICE_WORKING_DAYS
                  ) -> tuple[datetime.date, datetime.date]:
    """The public notice (公示): from the approval day (or the next working day) through the last of
    `working_days` working days, both inclusive."""
    start = day = next_working_day(approved_on)
    counted = 1
    while counted < working_days:
        day = next_working_day(day + datetime.timedelta(days=1))
        counted += 1
    return start, day


def working_days_between(first: datetime.date, last: datetime.date) -> int:
    """Working days from `first` to `last`, both inclusive."""
    count, day = 0, first
    while day <= last:
        count += is_working_day(day)
        day += datetime.timedelta(days=1)
    return count


def new_sign_code() -> str:
    """A random 6-digit sign-in code (leading zeros allowed)."""
    return f"{secrets.randbelow(1_000_000):06d}"


def new_qr_token() -> str:
    return secrets.token_urlsafe(16)[:22]


# No 0/O, 1/I/L: the code is read off paper and typed by hand.
_CERT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_certificate_code() -> str:
    """A verification code like ZY-7KQ4-M2XD-9HPA (60 bits of randomness)."""
    chars = "".join(secrets.choice(_CERT_ALPHABET) for _ in range(12))
    return f"ZY-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize_certificate_code(text: str) -> str:
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if cleaned.startswith("ZY"):
        cleaned = cleaned[2:]
    if len(cleaned) != 12:
        return ""
    return f"ZY-{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧**明: enough for a public page, not enough to identify a stranger."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
