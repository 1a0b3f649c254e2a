from typing import Any

from tests.authz import EVERYONE, Page


def objects(cast: dict[str, Any]) -> dict[str, Any]:
    from kepu.notifications.services import notify

    return {"notification:jiaoyu": notify([cast["jiaoyu"]], title="测试消息")[0]}


CASES = [
    Page("notifications:inbox", EVERYONE),
    Page("notifications:read_all", EVERYONE, method="post"),
    Page("notifications:open", ("jiaoyu",), kwargs=lambda o: {"notification_id": o["notification:jiaoyu"].pk}),
]
