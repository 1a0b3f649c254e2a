"""Rotating KEPU_DATA_KEY without downtime (kepu.core.protected's key ring, kepu_rotate_data_key):
values under the old key stay readable during the rotation, are rewritten under the new one, and are
readable with the new key alone afterwards; digest lookups never miss; a re-run changes nothing."""

from __future__ import annotations

import base64
import io
import os
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from kepu.core import key_rotation, protected
from kepu.core.models import AuditEntry
from kepu.service_orders import selectors as order_selectors
from kepu.service_orders.models import ServiceOrder
from kepu.volunteers.models import Volunteer
from tests.test_settings import _settings
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

OLD = settings.KEPU_DATA_KEY  # the demo city was sealed under it
NEW = protected.new_data_key()
ROTATING = {"KEPU_DATA_KEY": NEW, "KEPU_DATA_KEY_PREVIOUS": [OLD], "KEPU_INDEX_KEY": OLD}
AFTER = {"KEPU_DATA_KEY": NEW, "KEPU_DATA_KEY_PREVIOUS": [], "KEPU_INDEX_KEY": OLD}
ID = "110101199003074477"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def _all_ciphertexts() -> dict[tuple[str, str, int], str]:
    found = {}
    with connection.cursor() as cursor:
        for model, field, _ in protected.protected_columns():
            cursor.execute(f"SELECT id, {field.column} FROM {model._meta.db_table}")
            found.update({(model._meta.db_table, field.column, pk): v for pk, v in cursor.fetchall() if v})
    return found


def _plain_texts() -> dict[int, tuple[str, str]]:
    return {v.pk: (v.id_number, v.phone) for v in Volunteer.objects.all()}


def _legacy_seal(master: str, text: str) -> str:
    """A value in the first format (`k1$`, no key id), as rows written before the key ring hold."""
    _, aead, _ = protected._derive(master)
    nonce = os.urandom(12)
    return "k1$" + base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, text.encode(), None)).decode()


def _rotate(**options: Any) -> str:
    out = io.StringIO()
    call_command("kepu_rotate_data_key", stdout=out, **options)
    return out.getvalue()


def test_during_the_rotation_both_keys_read_and_only_the_new_one_writes() -> None:
    before = VolunteerFactory(id_number=ID, phone="13812340000")
    with override_settings(**ROTATING):
        assert Volunteer.objects.get(pk=before.pk).id_number == ID
        during = VolunteerFactory(phone="13812340001")
        assert _raw("volunteers_volunteer", "phone", during.pk).startswith(f"k2${protected.key_id(NEW)}$")
        # Digests do not follow the data key: lookups find rows of either key.
        assert Volunteer.objects.get(id_number_digest=protected.digest("id_number", ID)).pk == before.pk
        assert Volunteer.objects.get(phone_digest=protected.digest("phone", "13812340001")).pk == during.pk
    # A process still on the step before (old key writing, new key accepted) reads the new value.
    with override_settings(KEPU_DATA_KEY=OLD, KEPU_DATA_KEY_PREVIOUS=[NEW], KEPU_INDEX_KEY=OLD):
        assert Volunteer.objects.get(pk=during.pk).phone == "13812340001"
    # One with the old key alone does not: it must be restarted before the new key writes.
    with pytest.raises(protected.UnknownDataKey, match=protected.key_id(NEW)):
        Volunteer.objects.get(pk=during.pk)


def test_rotation_rewrites_every_value_and_the_new_key_alone_reads_them_after() -> None:
    person = VolunteerFactory(id_number=ID, phone="13812340002")
    with connection.cursor() as cursor:  # a row of the first ciphertext format
        cursor.execute("UPDATE volunteers_volunteer SET phone = %s WHERE id = %s",
                       [_legacy_seal(OLD, "13812340002"), person.pk])
    plain, orders = _plain_texts(), {o.pk: o.requester_phone for o in ServiceOrder.objects.all()}
    values = len(_all_ciphertexts())
    with override_settings(**ROTATING):
        output = _rotate(batch_size=7)
        assert f"合计 total：重新加密 {values} 个值" in output and "全部加密值都已使用当前密钥" in output
        assert "科技志愿者.身份证号（volunteers_volunteer.id_number）：重新加密" in output
    prefix = f"k2${protected.key_id(NEW)}$"
    assert all(v.startswith(prefix) for v in _all_ciphertexts().values())
    with override_settings(**AFTER):
        assert _plain_texts() == plain
        assert {o.pk: o.requester_phone for o in ServiceOrder.objects.all()} == orders
        assert Volunteer.objects.get(id_number_digest=protected.digest("id_number", ID)).pk == person.pk
        some_order = ServiceOrder.objects.order_by("pk").first()
        assert some_order is not None
        assert some_order in order_selectors.orders_of_phone(phone=orders[some_order.pk])
    with pytest.raises(protected.UnknownDataKey):  # the old key alone no longer reads anything
        Volunteer.objects.get(pk=person.pk)
    entry = AuditEntry.objects.filter(action="core.data_key.rotate").latest("id")
    assert entry.after["rewritten"] == values and entry.object_id == protected.key_id(NEW)


def test_a_second_run_changes_nothing() -> None:
    with override_settings(**ROTATING):
        _rotate()
        once = _all_ciphertexts()
        assert "合计 total：重新加密 0 个值" in _rotate()
    assert _all_ciphertexts() == once


def test_a_row_saved_while_the_rotation_reads_it_is_left_as_saved() -> None:
    person = VolunteerFactory(phone="13812340003")
    stale = _raw("volunteers_volunteer", "phone", person.pk)
    with override_settings(**ROTATING):
        person.phone = "13812340004"
        person.save()  # someone edits the row after the pass read it
        model, column, mirror = next(c for c in protected.protected_columns()
                                     if c[0] is Volunteer and c[1].name == "phone")
        result = key_rotation.ColumnResult("phone")
        key_rotation._rotate_row(result, model, column, mirror, protected.current_prefix(), False, person.pk,
                                 stale, protected.digest("phone", "13812340003"))
        assert (result.rewritten, result.changed_meanwhile) == (0, 1)
        assert Volunteer.objects.get(pk=person.pk).phone == "13812340004"


def test_rotation_refuses_when_the_digests_would_change() -> None:
    before = _all_ciphertexts()
    with override_settings(KEPU_DATA_KEY=NEW, KEPU_DATA_KEY_PREVIOUS=[OLD], KEPU_INDEX_KEY=""), \
            pytest.raises(CommandError, match="KEPU_INDEX_KEY"):
        _rotate()
    assert _all_ciphertexts() == before


def test_a_value_under_a_key_outside_the_ring_is_named_and_the_run_fails() -> None:
    stranger = protected.new_data_key()
    with override_settings(KEPU_DATA_KEY=stranger, KEPU_INDEX_KEY=OLD):
        lost = VolunteerFactory(phone="13812340005")
    with override_settings(**ROTATING), pytest.raises(CommandError) as failed:
        _rotate()
    assert f"科技志愿者.身份证号（volunteers_volunteer.id_number） #{lost.pk}" in str(failed.value)
    assert protected.key_id(stranger) in str(failed.value)
    # The rest was rotated all the same.
    others = {k: v for k, v in _all_ciphertexts().items() if k[2] != lost.pk or k[0] != "volunteers_volunteer"}
    assert all(v.startswith(f"k2${protected.key_id(NEW)}$") for v in others.values())


def test_after_the_index_key_changes_digests_are_recomputed_offline() -> None:
    person = VolunteerFactory(id_number=ID, phone="13812340006")
    new_index = protected.new_data_key()
    with override_settings(KEPU_DATA_KEY=OLD, KEPU_INDEX_KEY=new_index):
        assert not Volunteer.objects.filter(id_number_digest=protected.digest("id_number", ID)).exists()
        with pytest.raises(CommandError, match="KEPU_INDEX_KEY"):
            _rotate()  # the online pass refuses: the digests are not this key's
        assert "重算摘要" in _rotate(digests=True)
        assert Volunteer.objects.get(id_number_digest=protected.digest("id_number", ID)).pk == person.pk
        assert Volunteer.objects.get(phone_digest=protected.digest("phone", "13812340006")).pk == person.pk


def test_settings_refuse_a_key_ring_without_an_index_key() -> None:
    old, new = protected.new_data_key(), protected.new_data_key()
    refused = _settings({"KEPU_DATA_KEY": new, "KEPU_DATA_KEY_PREVIOUS": old})
    assert refused.returncode != 0 and "KEPU_INDEX_KEY" in refused.stderr
    started = _settings({"KEPU_DATA_KEY": new, "KEPU_DATA_KEY_PREVIOUS": old, "KEPU_INDEX_KEY": old})
    assert started.returncode == 0, started.stderr
