"""Background work of the volunteers domain."""

from __future__ import annotations

from django.tasks import task


@task
def remind_notices_ended() -> str:
    """Daily (registered in manifest.py): tell the reviewing unit that a public notice has ended."""
    from kepu.volunteers.services.stars import notices_ended_remind

    return f"已提醒 {notices_ended_remind()} 份公示期满的星级申请"
