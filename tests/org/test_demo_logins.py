"""The demo-login table `make run` prints lines up in a terminal, where CJK characters are two wide."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kepu.org.management.commands.demo_logins import display_width


def test_display_width_counts_cjk_as_two_columns() -> None:
    assert display_width("admin") == 5 and display_width("纲要办") == 6 and display_width("区县/乡镇") == 9


@pytest.mark.django_db
def test_every_column_of_the_demo_login_table_starts_at_the_same_terminal_column() -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    lines = out.getvalue().splitlines()
    start = lines.index(next(line for line in lines if line.startswith("演示账号"))) + 1
    table = [line for line in lines[start:] if line.strip()]
    assert len(table) >= 10
    role_columns, unit_columns = set(), set()
    for line in table:
        _username, rest = line[2:].split(" ", 1)
        role = rest.lstrip(" ").split(" ", 1)[0]
        role_columns.add(2 + display_width(line[2:].index(role) * " "))
        prefix = line[: line.index(role) + len(role)]
        after = line[len(prefix):]
        if after.strip():
            unit_columns.add(display_width(prefix) + len(after) - len(after.lstrip(" ")))
    assert len(role_columns) == 1 and len(unit_columns) == 1, (role_columns, unit_columns)
