"""Stored files: every file kepu keeps goes through Django's storage API, never a path of its own.

`STORAGES["default"]` is the local disk under `KEPU_MEDIA_ROOT`, or an S3-compatible bucket when
`KEPU_S3_BUCKET` is set (config/settings.py, docs/operations.md); models' FileFields use it, and code
reads and writes through `field.open()`, `field.save()`, `default_storage`. Three helpers cover what
that API alone does not:

- `serve()`: the one way a stored file reaches a browser — through a view that has checked the data
  scope, read from the storage in chunks; never a public or presigned URL of the file itself.
- `local_path()`: a path on this machine for readers that want a file name (SPSS, Parquet scans):
  the file itself on the local disk, a temporary copy (removed afterwards) from a bucket.
- `replace()`: store bytes under exactly one name, replacing what is there, with no reader ever
  seeing half a file (the demo's deterministic files).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.http import FileResponse, Http404

CHUNK = 1024 * 1024


def serve(file: Any, *, filename: str = "", content_type: str, as_attachment: bool = True,
          missing: str = "文件不存在") -> FileResponse:
    """The stored file as a response, read from its storage (disk or bucket) in chunks.

    The caller has already decided that the user may see it; a file gone from the storage is 404."""
    if not file:
        raise Http404(missing)
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename or None,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@contextmanager
def local_path(file: Any) -> Iterator[Path]:
    """A path on this machine holding the stored file's bytes, for as long as the block runs.

    `file` is a model's stored file (a FieldFile: its `name` and `storage`)."""
    storage: Storage = file.storage
    if isinstance(storage, FileSystemStorage):
        yield Path(storage.path(file.name))
        return
    suffix = PurePosixPath(file.name).suffix
    with tempfile.NamedTemporaryFile(prefix="kepu-", suffix=suffix) as copy:
        with storage.open(file.name, "rb") as source:
            shutil.copyfileobj(source, copy, CHUNK)
        copy.flush()
        yield Path(copy.name)


def replace(name: str, data: bytes, storage: Storage | None = None) -> str:
    """Store `data` under exactly `name`, replacing any file there; returns the name.

    On the local disk the bytes go to a temporary file beside the target, then are renamed over it; an
    object store replaces an object in one step (readers see the old object or the new one)."""
    storage = storage or default_storage
    if isinstance(storage, FileSystemStorage):
        target = Path(storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
        return name
    # Object stores: Storage._save writes the object under the name given, without the unique-name
    # search save() does (kepu's bucket never overwrites on save(): docs/operations.md).
    stored: str = storage._save(name, ContentFile(data))
    return stored
