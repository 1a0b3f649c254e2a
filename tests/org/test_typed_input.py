"""Refused forms on the user and unit pages come back with what was typed and the error under the field;
nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.typed import field_state, input_state
from tests.typed import refused_post as _refused

pytestmark = pytest.mark.django_db
TOO_LONG = "该同志已调离本单位，账号不再使用。" * 40  # beyond the 500 characters of a reason



def test_deactivating_an_account_without_a_fitting_reason_keeps_the_text(cast: dict[str, Any], as_user: Any) -> None:
    url = reverse("org:user_deactivate", args=[cast["nongye"].pk])
    long = _refused(as_user("admin"), url, {"reason": TOO_LONG})
    assert field_state(long, "reason")[0] == TOO_LONG and "500" in field_state(long, "reason")[1]
    blank = _refused(as_user("admin"), url, {"reason": " "})
    assert field_state(blank, "reason")[1] == "请填写此项。"
    cast["nongye"].refresh_from_db()
    assert cast["nongye"].is_active


def test_a_unit_keeps_a_refused_alias_and_reason(cast: dict[str, Any], as_user: Any) -> None:
    unit = cast["jiaoyu"].unit
    alias = _refused(as_user("admin"), reverse("org:unit_alias_add", args=[unit.pk]), {"name": "昆山市农业农村局"})
    assert input_state(alias, "name") == ("昆山市农业农村局", "“昆山市农业农村局”是另一个单位的名称")
    reason = _refused(as_user("admin"), reverse("org:unit_deactivate", args=[unit.pk]), {"reason": TOO_LONG})
    assert field_state(reason, "reason")[0] == TOO_LONG
