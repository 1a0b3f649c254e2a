"""Background work of the order workflow."""

from __future__ import annotations

from django.tasks import task


@task
def return_overdue_orders() -> str:
    """The hourly overdue run (registered in manifest.py): see kepu.service_orders.overdue."""
    from kepu.service_orders.overdue import process_overdue

    return str(process_overdue())
