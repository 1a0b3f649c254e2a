"""Background work of the plan ledger, run by the task worker (the scheduler enqueues it daily)."""

from __future__ import annotations

from django.tasks import task

from kepu.core.context import ClientInfo, client_context


@task
def daily_supervision() -> dict[str, int]:
    """Every morning: live indicator values, every task's light, reminders before and escalations after."""
    from kepu.plans.services.supervision import daily_run

    with client_context(ClientInfo(channel="task")):
        return daily_run()
