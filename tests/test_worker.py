"""The real database-backed worker (`manage.py db_worker`, a separate process) runs a queued task
against the same database, and the reaper it runs fails work whose own worker died."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kepu.core.models import ExportJob, ExportStatus

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_reaper_on_a_job_whose_worker_died(settings: Any) -> None:
    from kepu.core.tasks import reap_stale_work
    from kepu.org.models import User

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    owner = User.objects.create(username="worker-test", password="!", display_name="测试")
    quiet = timezone.now() - datetime.timedelta(hours=1)
    job = ExportJob.objects.create(user=owner, action="org.unit.export", title="单位.xlsx",
                                   path="/office/org/units/export/", status=ExportStatus.RUNNING,
                                   heartbeat_at=quiet, attempts=1)
    queued = reap_stale_work.enqueue()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEPU_TEST")}
    env["DATABASE_URL"] = _database_url()
    worker = subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert worker.returncode == 0, worker.stderr[-2000:]
    result = reap_stale_work.get_result(queued.id)
    assert result.status == "SUCCESSFUL", worker.stderr[-2000:]
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "请重新发起" in job.message
