"""An estimation whose worker died does not stay 计算中 forever: the reaper puts it back in the queue
once (and it completes), and fails it with a message the second time; a run nobody picks up fails
with a message saying no worker is running."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from kepu.core import leases
from kepu.literacy import services
from kepu.literacy import synthetic as syn
from kepu.literacy.models import EstimationRun, RunStatus, SurveyWave
from tests.literacy.conftest import as_parquet, import_file, survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(cast: dict[str, Any], make_wave: Any, media: Path) -> SurveyWave:
    wave = make_wave(year=2026)
    upload = import_file(cast["office"], wave, "样本.parquet", as_parquet(survey(seed=31, psu_factor=1)))
    assert upload.status == "imported", upload.errors[:3]
    services.margins_replace(actor=cast["office"], wave=wave, margins=syn.margins(year=2026))
    return wave


def _stalled(wave: SurveyWave, *, attempts: int = 0, minutes: int = 30) -> EstimationRun:
    """A run its worker took and then died on: running, silent for `minutes`."""
    quiet = timezone.now() - datetime.timedelta(minutes=minutes)
    return EstimationRun.objects.create(wave=wave, status=RunStatus.RUNNING, progress=40, message="正在计算",
                                        started_at=quiet, heartbeat_at=quiet, attempts=attempts)


def test_a_run_whose_worker_died_is_queued_again_and_completes(wave: SurveyWave,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    run = _stalled(wave)
    with django_capture_on_commit_callbacks(execute=True):
        reaped = leases.reap_stale()
    assert reaped["literacy.run"] == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.attempts == 1
    assert run.estimates.exists()


def test_a_run_that_stalls_again_fails_with_a_message(wave: SurveyWave) -> None:
    run = _stalled(wave, attempts=1)
    leases.reap_stale()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "请重新发起" in run.message


def test_a_run_still_beating_is_left_alone(wave: SurveyWave) -> None:
    run = _stalled(wave, minutes=1)
    assert leases.reap_stale()["literacy.run"] == 0
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_a_run_nobody_picks_up_fails_saying_no_worker_runs(wave: SurveyWave) -> None:
    old = timezone.now() - datetime.timedelta(hours=7)
    run = EstimationRun.objects.create(wave=wave, status=RunStatus.QUEUED, heartbeat_at=old)
    leases.reap_stale()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "没有运行" in run.message
    # The wave is not blocked: a new run can start.
    wave.refresh_from_db()
    assert services.run_start(actor=_office(), wave=wave, inline=True).status == RunStatus.DONE


def _office() -> Any:
    from kepu.org.models import User

    return User.objects.get(username="office")
