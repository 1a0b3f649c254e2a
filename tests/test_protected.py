"""ID numbers and phones are encrypted at rest and found through keyed digests (kepu.core.protected)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from kepu.core import protected
from kepu.core.models import AuditEntry
from kepu.volunteers import selectors, services, sheets
from kepu.volunteers.demo import synthetic_id_number
from kepu.volunteers.models import Volunteer
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

ID = synthetic_id_number(datetime.date(1985, 6, 1), 31)


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_database_holds_ciphertext_and_the_model_reads_plain_text() -> None:
    person = VolunteerFactory(id_number=ID, phone="13812345678")
    raw_id, raw_phone = _raw("volunteers_volunteer", "id_number", person.pk), _raw("volunteers_volunteer", "phone",
                                                                                    person.pk)
    assert raw_id.startswith("k2$") and ID not in raw_id and ID[6:14] not in raw_id
    assert raw_phone.startswith("k2$") and "12345678" not in raw_phone
    again = Volunteer.objects.get(pk=person.pk)
    assert (again.id_number, again.phone) == (ID, "13812345678")


def test_equal_values_give_different_ciphertexts_but_one_digest() -> None:
    assert protected.seal(ID) != protected.seal(ID)
    assert protected.unseal(protected.seal(ID)) == ID
    assert protected.digest("id_number", ID.lower()) == protected.digest("id_number", f" {ID} ")
    assert protected.digest("id_number", ID) != protected.digest("phone", ID)  # kinds do not collide


def test_a_tampered_ciphertext_is_refused() -> None:
    token = protected.seal("13812345678")
    body = bytearray(token.encode())
    body[-3] = ord("A") if body[-3] != ord("A") else ord("B")
    with pytest.raises(InvalidTag):
        protected.unseal(body.decode())


def test_filtering_on_the_encrypted_column_fails_loudly_instead_of_matching_nothing() -> None:
    with pytest.raises(FieldError, match="加密字段"):
        list(Volunteer.objects.filter(id_number=ID))
    assert Volunteer.objects.filter(id_number__isnull=True).count() == 0


def test_a_malformed_data_key_is_named_in_the_error() -> None:
    with override_settings(KEPU_DATA_KEY="too-short"), pytest.raises(ImproperlyConfigured, match="KEPU_DATA_KEY"):
        protected.seal("x")


def test_another_key_cannot_read_the_data() -> None:
    token = protected.seal(ID)
    with override_settings(KEPU_DATA_KEY=protected.new_data_key()), pytest.raises(protected.UnknownDataKey):
        protected.unseal(token)


def test_the_migration_step_seals_plain_rows_once() -> None:
    person = VolunteerFactory(id_number=ID, phone="13812345678")
    with connection.cursor() as cursor:  # the state before the migration: plain text, no digests
        cursor.execute("UPDATE volunteers_volunteer SET id_number = %s, phone = %s, id_number_digest = %s, "
                       "phone_digest = '' WHERE id = %s", [ID, "13812345678", "pending", person.pk])
    columns = {"id_number": ("id_number_digest", "id_number"), "phone": ("phone_digest", "phone")}
    protected.seal_existing(connection, "volunteers_volunteer", columns)
    sealed = _raw("volunteers_volunteer", "id_number", person.pk)
    protected.seal_existing(connection, "volunteers_volunteer", columns)  # a second run changes nothing
    assert _raw("volunteers_volunteer", "id_number", person.pk) == sealed and sealed.startswith("k2$")
    again = Volunteer.objects.get(id_number_digest=protected.digest("id_number", ID))
    assert again.pk == person.pk and again.phone == "13812345678"
    assert Volunteer.objects.filter(phone_digest=protected.digest("phone", "13812345678")).get().pk == person.pk


def test_registering_the_same_id_number_twice_is_refused(cast: dict[str, Any]) -> None:
    VolunteerFactory(id_number=ID)
    from kepu.core.errors import ValidationFailed
    from kepu.org.public import Region

    with pytest.raises(ValidationFailed, match="已登记"):
        services.volunteer_create(actor=cast["office"], name="重复者", id_number=ID.lower(), phone="13912345678",
                                  region=Region.objects.get(code="320583106000"))


def test_the_office_finds_a_volunteer_by_full_id_number_or_phone(cast: dict[str, Any]) -> None:
    person = VolunteerFactory(id_number=ID, phone="13812345678")
    for text in (ID, ID.lower(), "13812345678"):
        found = selectors.volunteer_list(user=cast["office"], filters=selectors.VolunteerFilters(q=text, active=None))
        assert [p.pk for p in found] == [person.pk]
    partial = selectors.volunteer_list(user=cast["office"], filters=selectors.VolunteerFilters(q="1381234", active=None))
    assert person.pk not in [p.pk for p in partial]


def test_a_sheet_that_changes_digits_inside_the_mask_still_updates_the_row(cast: dict[str, Any]) -> None:
    person = VolunteerFactory(id_number=ID, phone="13812345678")
    exported = sheets.volunteers_export([person], full=True)
    from tests.org.sheets import read_xlsx, xlsx

    header, *rows = read_xlsx(exported)
    row = [("13899995678" if value == "13812345678" else value) for value in rows[0]]  # same 138****5678
    summary = sheets.volunteers_import(actor=cast["office"], data=xlsx(header, [row]))
    assert summary.updated == 1
    assert Volunteer.objects.get(phone_digest=protected.digest("phone", "13899995678")).pk == person.pk
    entry = AuditEntry.objects.filter(action="volunteers.volunteer.import", object_id=str(person.pk)).get()
    assert "身份证号或手机号已更改" in entry.reason and "13899995678" not in str(entry.after)


def test_an_edit_inside_the_mask_is_audited(cast: dict[str, Any]) -> None:
    person = VolunteerFactory(id_number=ID, phone="13812345678")
    services.volunteer_update(actor=cast["office"], volunteer=person, phone="13899995678")
    entry = AuditEntry.objects.filter(action="volunteers.volunteer.update", object_id=str(person.pk)).get()
    assert "身份证号或手机号已更改" in entry.reason and "13899995678" not in f"{entry.before}{entry.after}"


def test_audit_snapshots_keep_personal_data_masked_and_leave_digests_out(cast: dict[str, Any]) -> None:
    from kepu.org.public import Region

    person = services.volunteer_create(actor=cast["office"], name="审计者", id_number=ID, phone="13812345678",
                                       region=Region.objects.get(code="320583106000"))
    entry = AuditEntry.objects.filter(object_id=str(person.pk), action__startswith="volunteers.volunteer").latest("id")
    text = str(entry.after)
    assert ID not in text and "13812345678" not in text and "138****5678" in text
    assert "digest" not in text and "k2$" not in text
