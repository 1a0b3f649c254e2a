"""Background tasks of the shared kernel (run by `manage.py db_worker`; inline in tests)."""

from __future__ import annotations

from django.tasks import task


@task()
def build_export(job_id: int) -> str:
    """Build a large Excel export as its owner and store it (kepu.core.exports)."""
    from kepu.core.exports import build

    return build(job_id).status


@task()
def purge_exports() -> int:
    """Delete the files of expired exports."""
    from kepu.core.exports import purge_expired

    return purge_expired()


@task()
def reap_stale_work() -> dict[str, int]:
    """Requeue or fail background work whose worker died (kepu.core.leases)."""
    from kepu.core.leases import reap_stale

    return reap_stale()
