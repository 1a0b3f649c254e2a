"""The hours list is read off an index in its own order (issue 17: a list ordered without a matching index
sorted all 200,000 records for every page)."""

import pytest

from kepu.volunteers import selectors
from kepu.volunteers.models import ServiceHours


@pytest.mark.django_db
def test_the_hours_list_order_has_a_matching_index(cast):
    order = [f.replace("pk", "id") for f in selectors.hours_list(user=cast["office"]).query.order_by]
    assert order in [list(index.fields) for index in ServiceHours._meta.indexes]
