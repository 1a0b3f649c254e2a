"""Background tasks of literacy monitoring (run by `manage.py db_worker`; inline in tests)."""

from __future__ import annotations

from django.tasks import task


@task()
def import_upload(upload_id: int) -> str:
    """Validate an uploaded respondent file and store it into its wave (or record the errors)."""
    from kepu.literacy.imports import upload_process

    return upload_process(upload_id).status


@task()
def estimate_wave(run_id: int) -> str:
    """Compute every estimate of a run (scores, design, calibration, domains, small areas)."""
    from kepu.literacy.services import run_execute

    return run_execute(run_id).status
