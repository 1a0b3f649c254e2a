"""Files in an S3-compatible bucket: with KEPU_S3_BUCKET set, what the domains store (evidence, close-out
photos, survey data, background exports) lands in the bucket as private objects, and reaches only
those who may see it, through kepu's own views.

Runs against moto's S3 server in this process, on 127.0.0.1 and a port the system chooses at start;
each test has a bucket of its own. The storage settings are those config/settings.py builds from
the environment (`_file_storage`), given a test environment.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from config import settings as kepu_settings
from kepu.core import exports, files
from kepu.core.models import ExportJob, ExportStatus
from tests.literacy.conftest import as_sav, import_file, make_wave, survey  # noqa: F401 (make_wave: a fixture)
from tests.plans.conftest import small_plan  # noqa: F401 (a fixture)
from tests.service_orders.authz import png_bytes
from tests.service_orders.conftest import ZHOUSHI, community, crew, order_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@dataclass
class Bucket:
    client: Any
    name: str

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def body(self, key: str) -> bytes:
        data: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return data

    def is_private(self, key: str) -> bool:
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return all(g["Grantee"].get("URI") != ALL_USERS for g in grants)


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _environment(endpoint: str, bucket: str) -> dict[str, str]:
    return {"KEPU_S3_BUCKET": bucket, "KEPU_S3_ENDPOINT_URL": endpoint, "KEPU_S3_REGION": "us-east-1",
            "KEPU_S3_ACCESS_KEY_ID": "kepu-test", "KEPU_S3_SECRET_ACCESS_KEY": "kepu-test-secret",
            "KEPU_S3_ADDRESSING_STYLE": "path"}


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Bucket:
    name = f"kepu-test-{uuid.uuid4().hex[:16]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="kepu-test", aws_secret_access_key="kepu-test-secret")
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": kepu_settings._file_storage(_environment(s3_endpoint, name))}
    return Bucket(client, name)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="kepu.org.auth.KepuModelBackend")
    return client


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_bucket_comes_from_the_environment_with_private_objects(bucket: Bucket) -> None:
    from storages.backends.s3 import S3Storage

    assert kepu_settings._file_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    default_storage.exists("probe")  # the lazy storage is built from the (test) settings
    storage = default_storage._wrapped
    assert isinstance(storage, S3Storage) and storage.bucket_name == bucket.name
    assert (storage.default_acl, storage.querystring_auth, storage.file_overwrite) == ("private", True, False)
    first = default_storage.save("probe/a.txt", ContentFile(b"one"))
    second = default_storage.save("probe/a.txt", ContentFile(b"two"))
    assert first == "probe/a.txt" and second != first, "a name taken is never overwritten by save()"
    assert bucket.body(first) == b"one" and bucket.body(second) == b"two" and bucket.is_private(first)
    assert files.replace("probe/fixed.bin", b"v1") == files.replace("probe/fixed.bin", b"v2") == "probe/fixed.bin"
    assert bucket.body("probe/fixed.bin") == b"v2"
    with files.local_path(SimpleNamespace(name=second, storage=default_storage)) as path:
        assert path.read_bytes() == b"two"
        copy = Path(path)
    assert not copy.exists(), "the local copy of a bucket object is removed after use"


def test_progress_report_evidence_lands_in_the_bucket_and_reaches_only_the_scope(
        bucket: Bucket, cast: dict[str, Any], small_plan: Any) -> None:  # noqa: F811
    from kepu.plans.services import reporting

    task = small_plan.tasks.get(title="开展青少年科技节")
    period = small_plan.periods.order_by("start").first()
    content = b"%PDF-1.4 evidence of the festival"
    report = reporting.report_save(actor=cast["jiaoyu"], task=task, period=period, progress=40,
                                   text="举办了第一届青少年科技节，参与学生1200人次。", submit=True,
                                   files=[SimpleUploadedFile("科技节总结.pdf", content)])
    evidence = report.evidence.get()
    assert bucket.keys("plans/evidence/") == [evidence.file.name]
    assert bucket.body(evidence.file.name) == content and bucket.is_private(evidence.file.name)
    url = f"/office/plans/evidence/{evidence.pk}/"
    for username in ("jiaoyu", "office"):
        response = _client(cast[username]).get(url)
        assert response.status_code == 200 and _body(response) == content
        assert response["Content-Disposition"].startswith("attachment")
    assert _client(cast["nongye"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_a_close_out_photo_lands_in_the_bucket_and_reaches_only_the_orders_scope(
        bucket: Bucket, cast: dict[str, Any], crew: Any, order_in: Any) -> None:  # noqa: F811
    from kepu.service_orders import services
    from kepu.service_orders.models import OrderPhoto, OrderStatus

    order = order_in(OrderStatus.IN_SERVICE, team=crew.a, phone="13912340009", region=community(ZHOUSHI))
    services.order_complete(actor=crew.leader_a, order=order, close_out=services.CloseOut(
        report="为社区老人讲解智能手机挂号与防诈骗，现场手把手练习。", served_count=36, service_hours=Decimal("2.5"),
        photos=(SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png"),)))
    photo = OrderPhoto.objects.get(order=order)
    assert bucket.keys(f"service_orders/{order.pk}/") == [photo.image.name] and bucket.is_private(photo.image.name)
    url = f"/office/orders/{order.pk}/photos/{photo.pk}/"
    response = _client(cast["office"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert _body(response) == bucket.body(photo.image.name) == png_bytes()
    assert _client(cast["zhangpu"]).get(url).status_code == 404  # another town's order


def test_a_background_export_is_kept_in_the_bucket_for_its_owner_alone(
        bucket: Bucket, cast: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    owner = _client(cast["office"])
    instant = owner.get(reverse("org:unit_export"))
    assert instant.status_code == 200
    settings.KEPU_EXPORT_BACKGROUND_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.get(reverse("org:unit_export")).status_code == 302
    job = ExportJob.objects.get(user=cast["office"])
    assert job.status == ExportStatus.DONE, job.message
    assert bucket.keys("exports/") == [job.file.name] and bucket.is_private(job.file.name)
    assert job.title not in job.file.name, "stored under a name of its own, not the shared title"
    url = reverse("backoffice:export_download", args=[job.pk])
    download = owner.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    rows = [tuple(c.value for c in r) for r in load_workbook(io.BytesIO(_body(download))).worksheets[0].iter_rows()]
    assert rows == [tuple(c.value for c in r) for r in load_workbook(io.BytesIO(instant.content)).worksheets[0].iter_rows()]
    assert _client(cast["jiaoyu"]).get(url).status_code == 404
    assert _client(cast["admin"]).get(url).status_code == 404
    ExportJob.objects.filter(pk=job.pk).update(expires_at=job.finished_at)
    assert exports.purge_expired() == 1
    assert bucket.keys("exports/") == [], "an expired export is deleted from the bucket"
    assert owner.get(url).status_code == 404


def test_a_survey_wave_is_read_from_and_kept_in_the_bucket(bucket: Bucket, cast: dict[str, Any],
                                                          make_wave: Any, tmp_path: Path) -> None:  # noqa: F811
    from kepu.literacy import services
    from kepu.literacy.models import RunStatus, UploadStatus

    wave = make_wave()
    # SPSS files are read by name: the upload is copied out of the bucket for the reader.
    upload = import_file(cast["office"], wave, "样本.sav", as_sav(survey(seed=11).head(400), tmp_path))
    assert upload.status == UploadStatus.IMPORTED, upload.errors[:3]
    wave.refresh_from_db()
    assert bucket.keys("literacy/uploads/") == [upload.file.name]
    assert bucket.keys("literacy/waves/") == [wave.data_file.name] and wave.data_rows == 400
    run = services.run_start(actor=cast["office"], wave=wave, inline=True)
    assert run.status == RunStatus.DONE, run.message
