"""Numbers handed out once: a document's 文号 must never be given to two documents, even when two people
issue at the same instant. Counting the rows already there (the old way) gives both the same number.

One conditional UPDATE (last = last + 1) serialises the two requests on the counter's row in PostgreSQL
and on the database lock in SQLite; the first use of a counter starts from what already exists."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import F

from kepu.core.models import Sequence


def next_number(name: str, *, start_after: Callable[[], int]) -> int:
    """The next number of the counter `name`; `start_after` says how many were issued before it existed."""
    with transaction.atomic():
        if not Sequence.objects.filter(name=name).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, last=start_after() + 1)
            except IntegrityError:  # another request created it first: take the next one after theirs
                Sequence.objects.filter(name=name).update(last=F("last") + 1)
        return Sequence.objects.values_list("last", flat=True).get(name=name)
