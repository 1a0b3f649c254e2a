"""Errors raised by the estimation engine, each with a Chinese message and an English one."""

from __future__ import annotations


class EstimationError(ValueError):
    """Base error of the engine.

    ``str(error)`` is the Chinese message followed by the English one, so a command-line tool or a
    web form can show it as is; ``error.zh`` and ``error.en`` hold the two halves.
    """

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


class LonelyPSUError(EstimationError):
    """A stratum has a single PSU and the lonely-PSU rule is ``fail``."""

    def __init__(self, stratum: object, stage: int = 1) -> None:
        self.stratum = stratum
        self.stage = stage
        unit = "初级抽样单元" if stage == 1 else "第二阶段抽样单元"
        super().__init__(
            f"第 {stratum} 层只有 1 个{unit}（lonely PSU），按“fail”规则无法估计方差",
            f"stratum {stratum} has only one PSU at stage {stage}; lonely_psu='fail' cannot estimate the variance",
        )


class DesignError(EstimationError):
    """The design arrays are inconsistent (lengths, nesting, fpc, weights)."""


class CalibrationError(EstimationError):
    """Calibration did not converge or the control totals do not match the sample."""
