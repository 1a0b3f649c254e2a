"""A refusal inside a service's transaction still leaves its audit entry once the request ends."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import RequestFactory

from kepu.core.access import deny
from kepu.core.middleware import RequestContextMiddleware
from kepu.core.models import AuditCategory, AuditEntry


@pytest.mark.django_db
def test_a_refusal_rolled_back_with_its_transaction_is_written_again(cast: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    def view(request: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                deny(cast["jiaoyu"], "org.unit.change")
        except PermissionDenied:
            return HttpResponse(status=403)
        return HttpResponse()

    before = AuditEntry.objects.filter(category=AuditCategory.DENIED).count()
    response = RequestContextMiddleware(view)(RequestFactory().post("/office/x/"))
    assert response.status_code == 403
    entries = AuditEntry.objects.filter(category=AuditCategory.DENIED)
    assert entries.count() == before + 1
    assert entries.latest("id").action == "org.unit.change" and entries.latest("id").ip == "127.0.0.1"
