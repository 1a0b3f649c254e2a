"""Charts for the Word and Excel outputs offices circulate (the web pages use ECharts).

Rendered with matplotlib to PNG in a Chinese font; the font comes from Debian's fonts-noto-cjk, which
`make setup` installs.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache, wraps

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt

PALETTE = ["#1f5fbf", "#f2b705", "#2fa84f", "#d93b3b", "#7a5cc4", "#2bb3c0", "#e07b39", "#5b6b82"]
CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC",
             "Microsoft YaHei", "SimHei", "PingFang SC")


@cache
def chinese_font() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


REMEMBERED = 32  # drawn images kept per process (a bulletin's chart is ~50 KB)
_drawn: OrderedDict[str, bytes] = OrderedDict()
_drawn_lock = threading.Lock()


def remembered[**P](draw: Callable[P, bytes]) -> Callable[P, bytes]:
    """The same chart drawn once per process: a PNG is a pure function of its arguments (labels and
    numbers), and matplotlib takes ~0.3 s for what a page or a document asks again and again (the
    bulletin shown, then downloaded). Keyed by the arguments themselves, so a user can only be given
    an image of figures the user's own request computed."""

    @wraps(draw)
    def drawing(*args: P.args, **kwargs: P.kwargs) -> bytes:
        key = hashlib.sha256(repr((draw.__name__, args, sorted(kwargs.items()))).encode()).hexdigest()
        with _drawn_lock:
            if key in _drawn:
                _drawn.move_to_end(key)
                return _drawn[key]
        png = draw(*args, **kwargs)
        with _drawn_lock:
            _drawn[key] = png
            while len(_drawn) > REMEMBERED:
                _drawn.popitem(last=False)
        return png

    return drawing


def _figure(width: float, height: float) -> tuple[plt.Figure, plt.Axes]:
    font = chinese_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    figure, axes = plt.subplots(figsize=(width, height), dpi=150)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


@remembered
def bar_chart(categories: Sequence[str], series: dict[str, Sequence[float]], *, title: str = "",
              unit: str = "", horizontal: bool = False, width: float = 6.4, height: float = 3.6) -> bytes:
    """Grouped bars: one group per category, one bar per series."""
    figure, axes = _figure(width, height)
    count = max(len(series), 1)
    bar = 0.8 / count
    positions = range(len(categories))
    for index, (name, values) in enumerate(series.items()):
        offsets = [p - 0.4 + bar * (index + 0.5) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        draw(offsets, list(values), bar, label=name, color=PALETTE[index % len(PALETTE)])
    if horizontal:
        axes.set_yticks(list(positions), list(categories))
        axes.invert_yaxis()
    else:
        axes.set_xticks(list(positions), list(categories), rotation=30 if len(categories) > 6 else 0,
                        ha="right" if len(categories) > 6 else "center")
    if unit:
        (axes.set_xlabel if horizontal else axes.set_ylabel)(unit)
    if title:
        axes.set_title(title)
    if len(series) > 1:
        axes.legend(frameon=False)
    return _png(figure)


@remembered
def line_chart(categories: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str = "",
               unit: str = "", reference: dict[str, float] | None = None, width: float = 6.4,
               height: float = 3.4) -> bytes:
    """Lines over ordered categories (years, waves), with optional horizontal reference lines."""
    figure, axes = _figure(width, height)
    for index, (name, values) in enumerate(series.items()):
        axes.plot(list(categories), [v if v is not None else float("nan") for v in values], marker="o",
                  label=name, color=PALETTE[index % len(PALETTE)])
    for index, (name, value) in enumerate((reference or {}).items()):
        axes.axhline(value, linestyle="--", linewidth=1, color=PALETTE[(index + 3) % len(PALETTE)], label=name)
    if unit:
        axes.set_ylabel(unit)
    if title:
        axes.set_title(title)
    axes.legend(frameon=False)
    return _png(figure)


@remembered
def pie_chart(labels: Sequence[str], values: Sequence[float], *, title: str = "", width: float = 4.8,
              height: float = 3.6) -> bytes:
    figure, axes = _figure(width, height)
    axes.pie(list(values), labels=list(labels), colors=PALETTE[: len(values)], autopct="%1.0f%%",
             startangle=90, wedgeprops={"linewidth": 1, "edgecolor": "white"})
    axes.axis("equal")
    if title:
        axes.set_title(title)
    return _png(figure)
