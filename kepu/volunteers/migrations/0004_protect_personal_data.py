"""ID numbers and phones encrypted at rest, with keyed digests for lookups (kepu.core.protected)."""

from django.db import migrations

import kepu.core.protected


def seal(apps, schema_editor):
    kepu.core.protected.seal_existing(schema_editor.connection, "volunteers_volunteer", {
        "id_number": ("id_number_digest", "id_number"), "phone": ("phone_digest", "phone")})
    kepu.core.protected.seal_existing(schema_editor.connection, "volunteers_starobjection", {
        "phone": (None, "phone")})


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0003_delete_phoneverification'),
    ]

    operations = [
        migrations.AddField(
            model_name='volunteer',
            name='id_number_digest',
            field=kepu.core.protected.DigestField(default='', kind='id_number', source='id_number'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='volunteer',
            name='phone_digest',
            field=kepu.core.protected.DigestField(db_index=True, kind='phone', source='phone'),
        ),
        migrations.AlterField(
            model_name='starobjection',
            name='phone',
            field=kepu.core.protected.ProtectedField(verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='volunteer',
            name='id_number',
            field=kepu.core.protected.ProtectedField(verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='volunteer',
            name='phone',
            field=kepu.core.protected.ProtectedField(verbose_name='手机号'),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='volunteer',
            name='id_number_digest',
            field=kepu.core.protected.DigestField(kind='id_number', source='id_number', unique=True),
        ),
    ]
