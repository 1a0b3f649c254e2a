"""The Word/Excel charts: drawn once per process for the same figures, drawn anew for other figures."""

from __future__ import annotations

from typing import Any

import pytest

from kepu.reports import charts


@pytest.fixture
def drawings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """Each figure matplotlib is asked to draw (the cache emptied first)."""
    made: list[tuple[float, float]] = []
    figure = charts._figure

    def counted(width: float, height: float) -> Any:
        made.append((width, height))
        return figure(width, height)

    monkeypatch.setattr(charts, "_figure", counted)
    charts._drawn.clear()
    return made


def test_the_same_chart_is_drawn_once_and_given_again_byte_for_byte(drawings: list[tuple[float, float]]) -> None:
    first = charts.bar_chart(["青少年", "农民"], {"按时率": [81.5, 64.0]}, unit="%")
    again = charts.bar_chart(["青少年", "农民"], {"按时率": [81.5, 64.0]}, unit="%")
    assert first == again and first.startswith(b"\x89PNG") and len(drawings) == 1


def test_other_figures_or_options_are_drawn_anew(drawings: list[tuple[float, float]]) -> None:
    base = charts.bar_chart(["青少年", "农民"], {"按时率": [81.5, 64.0]})
    other = charts.bar_chart(["青少年", "农民"], {"按时率": [81.5, 64.5]})
    titled = charts.bar_chart(["青少年", "农民"], {"按时率": [81.5, 64.0]}, title="各板块按时率")
    line = charts.line_chart(["2024", "2025"], {"比例": [20.1, 21.7]})
    assert len(drawings) == 4 and len({base, other, titled, line}) == 4


def test_the_process_keeps_a_bounded_number_of_images(drawings: list[tuple[float, float]]) -> None:
    for i in range(charts.REMEMBERED + 5):
        charts.pie_chart(["是", "否"], [i + 1, 1])
    assert len(charts._drawn) == charts.REMEMBERED
    charts.pie_chart(["是", "否"], [1, 1])  # the oldest was let go: drawn again
    assert len(drawings) == charts.REMEMBERED + 6
