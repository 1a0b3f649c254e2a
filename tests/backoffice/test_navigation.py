"""The menu and the unread count are worked out once per request, however many templates it renders."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["office", "zhangpu"])
def test_the_home_page_counts_unread_notifications_once(username: str, as_user: Any) -> None:
    client = as_user(username)
    client.get("/office/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/office/")
    unread = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert response.status_code == 200 and len(unread) == 1
    assert response.context["nav_sections"]  # the menu still comes with the page
