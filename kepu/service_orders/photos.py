"""Close-out photos: checked to be real images, stored under MEDIA_ROOT, never served as static files."""

from __future__ import annotations

from typing import Any

from PIL import UnidentifiedImageError

from kepu.core import uploads
from kepu.core.errors import ValidationFailed
from kepu.service_orders.models import OrderPhoto, ServiceOrder

MAX_BYTES = 5 * 1024 * 1024
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def check_image(upload: Any) -> str:
    """The file's real format (jpg/png/webp), or ValidationFailed naming the file."""
    name = getattr(upload, "name", "照片")
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise ValidationFailed(f"“{name}”超过 5 MB，请压缩后上传", "photos")
    try:
        upload.seek(0)
        with uploads.check_image(upload, name=name, field="photos") as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationFailed(f"“{name}”不是可识别的图片（支持 JPG、PNG、WebP）", "photos") from None
    finally:
        upload.seek(0)
    if kind not in FORMATS:
        raise ValidationFailed(f"“{name}”的格式不受支持（支持 JPG、PNG、WebP）", "photos")
    return FORMATS[kind]


def save_photos(*, order: ServiceOrder, uploads: tuple[Any, ...], actor: Any) -> list[OrderPhoto]:
    saved = []
    for upload in uploads:
        suffix = check_image(upload)
        upload.name = f"photo.{suffix}"  # the stored name never comes from the client
        saved.append(OrderPhoto.objects.create(order=order, image=upload,
                                               uploaded_by=actor if getattr(actor, "pk", None) else None))
    return saved


def content_type(photo: OrderPhoto) -> str:
    return CONTENT_TYPES.get(photo.image.name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
