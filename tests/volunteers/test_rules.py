"""Known answers for the domain's pure rules: hours arithmetic, star levels, notice working days, codes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kepu.core.text import is_id_number
from kepu.volunteers import rules
from kepu.volunteers.demo import synthetic_id_number

D = Decimal
T0 = datetime.datetime(2026, 9, 20, 9, 0, tzinfo=datetime.UTC)


def _hours(signed_in: int, signed_out: int, length: int = 180) -> Decimal:
    """Minutes after the start for sign-in and sign-out, an activity of `length` minutes."""
    minute = datetime.timedelta(minutes=1)
    return rules.attendance_hours(signed_in_at=T0 + signed_in * minute, signed_out_at=T0 + signed_out * minute,
                                  starts_at=T0, ends_at=T0 + length * minute)


@pytest.mark.parametrize(("signed_in", "signed_out", "expected"), [
    (0, 120, D("2.0")),     # exactly two hours
    (0, 134, D("2.0")),     # 2 h 14 min rounds down to the half hour
    (0, 135, D("2.5")),     # 2 h 15 min rounds up
    (10, 100, D("1.5")),    # 1 h 30 min
    (0, 14, D("0.0")),      # under a quarter of an hour earns nothing
    (0, 15, D("0.5")),
    (-60, 300, D("3.0")),   # early and late: capped at the activity's three hours
    (30, 20, D("0.0")),     # a sign-out before the sign-in never goes negative
])
def test_attendance_hours_are_rounded_to_half_hours_and_capped(signed_in: int, signed_out: int,
                                                                expected: Decimal) -> None:
    assert _hours(signed_in, signed_out) == expected


def test_the_cap_is_the_activity_length_rounded_down_to_a_half_hour() -> None:
    assert _hours(0, 200, length=110) == D("1.5")  # a 1 h 50 min activity credits at most 1.5 h


@pytest.mark.parametrize(("hours", "level"), [
    (D(0), 0), (D("99.5"), 0), (D(100), 1), (D(299), 1), (D(300), 2), (D(600), 3), (D(999.5), 3), (D(1000), 4),
    (D(1499), 4), (D(1500), 5), (D(9000), 5),
])
def test_star_levels_start_at_100_300_600_1000_1500_hours(hours: Decimal, level: int) -> None:
    assert rules.star_level_for(hours) == level


def test_the_next_star_level_and_its_hours() -> None:
    assert rules.next_star_level(0) == (1, D(100))
    assert rules.next_star_level(2) == (3, D(600))
    assert rules.next_star_level(5) is None


@pytest.mark.parametrize(("approved", "start", "end"), [
    ("2026-11-23", "2026-11-23", "2026-11-27"),  # approved on a Monday: Monday to Friday
    ("2026-11-25", "2026-11-25", "2026-12-01"),  # a Wednesday: the weekend is not counted
    ("2026-11-28", "2026-11-30", "2026-12-04"),  # a Saturday: the notice starts on Monday
    ("2026-11-29", "2026-11-30", "2026-12-04"),  # a Sunday too
])
def test_the_public_notice_lasts_five_working_days(approved: str, start: str, end: str) -> None:
    first, last = rules.notice_period(datetime.date.fromisoformat(approved))
    assert (first.isoformat(), last.isoformat()) == (start, end)
    assert rules.working_days_between(first, last) == 5


def test_sign_codes_are_six_digits_and_vary() -> None:
    codes = {rules.new_sign_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150


def test_certificate_codes_avoid_look_alike_characters_and_read_back_in_any_spelling() -> None:
    code = rules.new_certificate_code()
    assert len(code) == 17 and code.startswith("ZY-") and not set(code[3:]) & set("01OIL")
    sloppy = code.lower().replace("-", " ")
    assert rules.normalize_certificate_code(sloppy) == code
    assert rules.normalize_certificate_code(code[3:].replace("-", "")) == code
    assert rules.normalize_certificate_code("ZY-123") == ""


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("刘志愿", "刘*愿"), ("欧阳小明", "欧**明"), ("王", "王")])
def test_names_on_public_pages_are_masked(name: str, masked: str) -> None:
    assert rules.mask_name(name) == masked


def test_the_demo_id_numbers_pass_the_national_check_digit() -> None:
    numbers = {synthetic_id_number(datetime.date(1960, 1, 1) + datetime.timedelta(days=i), i) for i in range(500)}
    assert len(numbers) == 500 and all(is_id_number(n) for n in numbers)
