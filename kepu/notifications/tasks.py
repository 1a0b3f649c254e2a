"""Background tasks of the notifications infrastructure."""

from __future__ import annotations

from django.tasks import task


@task
def purge_phone_codes() -> str:
    """The daily purge of spent verification codes (registered in manifest.py)."""
    from kepu.notifications.phone import codes_purge

    return str(codes_purge())
