"""A 文号 is given once: the counter continues after the documents issued before it existed and never
hands one number to two documents (the race itself is in tests/test_decision_races.py)."""

from __future__ import annotations

import pytest

from kepu.core.models import Sequence
from kepu.core.sequences import next_number

pytestmark = pytest.mark.django_db


def test_a_new_counter_starts_after_what_was_already_issued() -> None:
    assert next_number("test.docs.2026", start_after=lambda: 4) == 5
    assert next_number("test.docs.2026", start_after=lambda: 99) == 6, "only the first use looks at the past"
    assert Sequence.objects.get(name="test.docs.2026").last == 6


def test_counters_are_independent() -> None:
    assert next_number("test.a", start_after=lambda: 0) == 1
    assert next_number("test.b", start_after=lambda: 0) == 1
    assert next_number("test.a", start_after=lambda: 0) == 2

