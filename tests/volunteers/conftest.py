"""The volunteers tests work on the demo city's volunteers (kepu/volunteers/demo.py), loaded once per
test database: 张浦镇 teams (zhangpu's area), 教育局 teams (jiaoyu's unit), 刘志愿 (the demo user
'volunteer', a plain member of 张浦镇科普宣讲分队) and 王队长 ('duizhang', leader of the 张浦镇 brigade)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    cache.clear()  # the wrong-sign-code counter lives in the cache


@pytest.fixture
def demo(cast: dict[str, Any]) -> dict[str, Any]:
    from kepu.volunteers.models import Activity, Volunteer, VolunteerTeam

    teams = {t.name: t for t in VolunteerTeam.objects.select_related("unit", "region")}
    return {
        "squad": teams["张浦镇科普宣讲分队"],
        "rescue": teams["张浦镇应急救护分队"],
        "brigade": teams["张浦镇科技志愿服务大队"],
        "root": teams["昆山市科协科技志愿服务支队"],
        "zhoushi": teams["周市镇老年人数字助力分队"],
        "edu": teams["昆山市青少年科技教育志愿服务支队"],
        "edu_squad": teams["昆山市第一中学科技辅导分队"],
        "liu": Volunteer.objects.get(user=cast["volunteer"]),
        "leader": Volunteer.objects.get(user__username="duizhang"),
        "today": Activity.objects.get(title="社区科普讲座：识别保健品骗局"),
    }


def api_headers(user: Any) -> dict[str, str]:
    """A bearer token for any user, made directly (volunteers cannot create one in the UI)."""
    from kepu.org import services
    from kepu.org.models import ApiToken

    prefix = "v" + str(user.pk).zfill(7)
    key = f"kp_{prefix}_volunteers-tests"
    ApiToken.objects.get_or_create(user=user, prefix=prefix, defaults={
        "name": "测试", "key_hash": services._hash_key(key), "expires_at": "2999-01-01T00:00:00Z"})
    return {"Authorization": f"Bearer {key}"}
