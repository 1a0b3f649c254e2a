"""Importing a wave's respondent data: upload, proposed mapping, background validation, storage.

`upload_create` keeps the file and proposes the mapping; `upload_confirm` takes the person's mapping
and enqueues the validation; `upload_process` (the task) validates every row and, only when all are
good, stores the canonical Parquet file through `wave_import` — all or nothing.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from kepu.core import audit, files
from kepu.core.access import SYSTEM, require
from kepu.core.errors import KepuError, ValidationFailed
from kepu.core.models import AuditCategory
from kepu.literacy import datafiles, states
from kepu.literacy import mapping as colmap
from kepu.literacy.models import DataUpload, SurveyWave, UploadStatus
from kepu.literacy.services import user_or_none as _user
from kepu.literacy.validation import DataRejected, DataSpec, Validated, validate

MAX_UPLOAD_BYTES = 300 * 1024 * 1024


def upload_create(*, actor: Any, wave: SurveyWave, file: File) -> DataUpload:
    """Keep the file, read its header and propose the column mapping; nothing is imported yet."""
    require(actor, "literacy.wave.manage")
    name = Path(file.name or "").name
    fmt = datafiles.detect_format(name)
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("文件超过 300 MB，请拆分或改用 Parquet 格式", "file")
    upload = DataUpload(wave=wave, original_name=name[:200], file_format=fmt, uploaded_by=_user(actor))
    upload.file.save(f"{uuid.uuid4().hex}{Path(name).suffix.lower()}", file, save=False)
    try:
        with files.local_path(upload.file) as path:
            head = datafiles.read_table(path, fmt, n_rows=datafiles.PREVIEW_ROWS)
            rows = datafiles.count_rows(path, fmt)
    except datafiles.FileUnreadable:
        upload.file.delete(save=False)
        raise
    codes = list(wave.instrument.items.values_list("code", flat=True))
    upload.columns = head.columns
    upload.preview = datafiles.preview(head)
    upload.row_count = rows
    upload.mapping = colmap.propose(head.columns, codes, head.column_labels)
    with transaction.atomic():
        upload.save()
        audit.record(actor, "literacy.upload.create", category=AuditCategory.CREATE, obj=upload,
                     after={"wave": wave.pk, "file": name, "rows": rows, "format": fmt})
    return upload


def upload_confirm(*, actor: Any, upload: DataUpload, mapping: Mapping[str, str]) -> DataUpload:
    """Accept the person's mapping and validate the whole file in the background."""
    require(actor, "literacy.wave.manage")
    codes = list(upload.wave.instrument.items.values_list("code", flat=True))
    with transaction.atomic():
        upload = DataUpload.objects.select_for_update().get(pk=upload.pk)
        states.advance(upload, states.UPLOAD_TRANSITIONS, UploadStatus.VALIDATING)
        upload.mapping = colmap.clean(mapping, codes)
        upload.progress, upload.message, upload.errors, upload.error_count = 5, "排队等待校验", [], 0
        upload.save()
        audit.record(actor, "literacy.upload.confirm", category=AuditCategory.WORKFLOW, obj=upload,
                     after={"mapping": upload.mapping})
    from kepu.literacy.tasks import import_upload

    import_upload.enqueue(upload.pk)
    upload.refresh_from_db()
    return upload


def _region_lookup(wave: SurveyWave) -> dict[str, str]:
    from kepu.org.public import Region

    lookup = {}
    for region in Region.objects.filter(parent=wave.region_id, is_active=True):
        lookup[datafiles.normalise_header(region.name)] = region.code
        lookup[region.code] = region.code
    return lookup


def data_spec(wave: SurveyWave) -> DataSpec:
    codes = tuple(wave.instrument.items.order_by("order", "code").values_list("code", flat=True))
    return DataSpec(item_codes=codes, lonely_psu=wave.lonely_psu, regions=_region_lookup(wave),
                    area_name=wave.region.name)


def wave_import(*, actor: Any, wave: SurveyWave, table: datafiles.RawTable, mapping: Mapping[str, str],
                source: str = "", filename: str = "") -> Validated:
    """Validate every row and store the wave's data — all of it, or (DataRejected) nothing at all.

    `filename` is for the demo's deterministic files, replaced in place (kepu.core.files.replace)."""
    require(actor, "literacy.wave.manage")
    validated = validate(table, mapping, data_spec(wave))
    if filename:
        stored = files.replace(filename, _parquet(validated))
    else:
        stored = default_storage.save(f"literacy/waves/wave{wave.pk}-{uuid.uuid4().hex[:12]}.parquet",
                                      ContentFile(_parquet(validated)))
    try:
        with transaction.atomic():
            before = audit.snapshot(wave, ("data_file", "data_rows"))
            wave.data_file.name = stored
            wave.data_rows = validated.frame.height
            wave.column_mapping = dict(mapping)
            wave.domains = validated.domains
            wave.has_fpc = validated.has_fpc
            wave.imported_at = timezone.now()
            wave.imported_by = _user(actor)
            wave.save()
            audit.record(actor, "literacy.wave.import", category=AuditCategory.IMPORT, obj=wave, before=before,
                         after=audit.snapshot(wave, ("data_file", "data_rows")),
                         reason=f"导入 {validated.frame.height} 条样本" + (f"（{source}）" if source else ""))
    except Exception:
        if not filename:
            default_storage.delete(stored)
        raise
    return validated


def _parquet(validated: Validated) -> bytes:
    buffer = io.BytesIO()
    validated.frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def upload_process(upload_id: int) -> DataUpload:
    """The background half of an upload: read, validate, store (or record the errors)."""
    upload = DataUpload.objects.select_related("wave", "wave__region", "wave__instrument", "uploaded_by").get(pk=upload_id)
    if upload.status != UploadStatus.VALIDATING:
        return upload
    DataUpload.objects.filter(pk=upload.pk).update(progress=20, message="正在读取文件")
    actor = upload.uploaded_by or SYSTEM
    try:
        with files.local_path(upload.file) as path:
            table = datafiles.read_table(path, upload.file_format)
        DataUpload.objects.filter(pk=upload.pk).update(progress=50, message=f"正在校验 {table.frame.height} 行数据")
        validated = wave_import(actor=_with_profile(actor), wave=upload.wave, table=table, mapping=upload.mapping,
                                source=upload.original_name)
    except DataRejected as exc:
        return _upload_finish(upload, UploadStatus.REJECTED, exc.message,
                              errors=[[e.row, e.column, e.message] for e in exc.errors], total=exc.total)
    except KepuError as exc:
        return _upload_finish(upload, UploadStatus.REJECTED, exc.message, errors=[[0, "", exc.message]], total=1)
    return _upload_finish(upload, UploadStatus.IMPORTED, f"已导入 {validated.frame.height} 条样本",
                          rows=validated.frame.height)


def _upload_finish(upload: DataUpload, status: str, message: str, *, errors: list[list[Any]] | None = None,
                   total: int = 0, rows: int | None = None) -> DataUpload:
    with transaction.atomic():
        upload.refresh_from_db()
        states.advance(upload, states.UPLOAD_TRANSITIONS, status)
        upload.progress, upload.message = 100, message[:300]
        upload.errors, upload.error_count = errors or [], total
        upload.finished_at = timezone.now()
        if rows is not None:
            upload.row_count = rows
        upload.save()
    return upload


def _with_profile(actor: Any) -> Any:
    """The uploader, reloaded with roles (a task has no request user)."""
    if getattr(actor, "is_system", False):
        return actor
    from kepu.org.public import User

    return User.objects.select_related("unit", "region", "unit__region").prefetch_related("role_assignments").get(
        pk=actor.pk)
