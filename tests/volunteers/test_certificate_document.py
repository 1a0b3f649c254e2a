"""The printed star certificate carries the issuing organisation, never the software's name, and no
drawn seal: a seal appears only when a scanned one is configured (KEPU_SEAL_IMAGE)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest

from kepu.volunteers.models import Certificate

pytestmark = pytest.mark.django_db

# The smallest valid PNG (1×1, transparent).
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def _certificate_text(as_user: Any, certificate: Certificate) -> str:
    page = as_user("zhangpu").get(f"/office/volunteers/certificates/{certificate.pk}/").content.decode()
    return page.split('id="certificate"', 1)[1]


def test_the_certificate_names_the_issuing_unit_and_no_software(demo: dict[str, Any], as_user: Any) -> None:
    certificate = Certificate.objects.select_related("issuing_unit").first()
    text = _certificate_text(as_user, certificate)
    visible = re.sub(r"<[^>]+>", "", text)
    assert visible.count(certificate.issuing_unit.name) >= 2  # above the title and in the 落款
    assert "平台" not in visible and "kepu" not in visible
    assert 'class="seal"' not in text and "<img" not in text


def test_a_configured_seal_image_is_printed(demo: dict[str, Any], as_user: Any, settings: Any, tmp_path: Path) -> None:
    seal = tmp_path / "seal.png"
    seal.write_bytes(PNG)
    settings.KEPU_SEAL_IMAGE = str(seal)
    text = _certificate_text(as_user, Certificate.objects.first())
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in text


def test_a_seal_setting_that_is_not_an_image_prints_no_seal(demo: dict[str, Any], as_user: Any, settings: Any,
                                                            tmp_path: Path) -> None:
    seal = tmp_path / "seal.png"
    seal.write_text("<svg/>")
    settings.KEPU_SEAL_IMAGE = str(seal)
    assert "<img" not in _certificate_text(as_user, Certificate.objects.first())
