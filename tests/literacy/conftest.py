"""Literacy test helpers: a wave of the demo city's instrument, synthetic survey files in every format."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kepu.core.access import SYSTEM
from kepu.literacy import imports, services
from kepu.literacy import synthetic as syn
from kepu.literacy.models import DataUpload, Instrument, ScoringRuleSet, SurveyWave

NATIONAL_INSTRUMENT = "公民科学素质测评卷（2024年版）"
_names = itertools.count(1)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded and stored files go to a temporary MEDIA_ROOT (the demo's own files stay where they are)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_wave(db: Any) -> Any:
    def make(*, year: int = 2026, rule: str = "national2022", **options: Any) -> SurveyWave:
        from kepu.org.models import Region

        instrument = Instrument.objects.get(name=NATIONAL_INSTRUMENT)
        rule_set = ScoringRuleSet.objects.filter(kind=rule).order_by("pk").first()
        return services.wave_create(actor=SYSTEM, name=f"测试轮次{next(_names)}", year=year,
                                    region=Region.objects.get(code="320583000000"), instrument=instrument,
                                    rule_set=rule_set, **options)

    return make


def survey(seed: int = 7, **kwargs: Any) -> pl.DataFrame:
    """A synthetic wave of the demo city as a data file has it (Chinese headers, one column per item)."""
    return syn.survey(syn.national_items(), seed=seed, shift=-1.36, **kwargs)


def as_csv(frame: pl.DataFrame, encoding: str = "utf-8") -> bytes:
    text = frame.fill_nan(None).write_csv()
    return text.encode(encoding)


def as_parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def as_xlsx(frame: pl.DataFrame) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append([None if isinstance(v, float) and v != v else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_sav(frame: pl.DataFrame, tmp_path: Path) -> bytes:
    """SPSS file with ASCII variable names, Chinese variable labels and value labels (as surveys ship)."""
    import pyreadstat

    names = {c: (c if c.isascii() else f"v{i}") for i, c in enumerate(frame.columns)}
    coded = frame.rename(names).with_columns(
        pl.col(names["性别"]).replace_strict({"男": 1, "女": 2}, return_dtype=pl.Int64),
        pl.col(names["镇"]).replace_strict({t.name: i + 1 for i, t in enumerate(syn.TOWNS)}, return_dtype=pl.Int64),
    )
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(coded, str(path), column_labels=[c for c in frame.columns],
                         variable_value_labels={names["性别"]: {1: "男", 2: "女"},
                                                names["镇"]: {i + 1: t.name for i, t in enumerate(syn.TOWNS)}})
    return path.read_bytes()


def upload_file(actor: Any, wave: SurveyWave, name: str, data: bytes) -> DataUpload:
    return imports.upload_create(actor=actor, wave=wave, file=SimpleUploadedFile(name, data))


def import_file(actor: Any, wave: SurveyWave, name: str, data: bytes,
                mapping: dict[str, str] | None = None) -> DataUpload:
    """Upload, accept the proposed mapping (or the given one), validate in the (inline) task."""
    upload = upload_file(actor, wave, name, data)
    return imports.upload_confirm(actor=actor, upload=upload, mapping=mapping or upload.mapping)
