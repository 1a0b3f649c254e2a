"""Administrators' TOTP secrets encrypted at rest (kepu.core.protected)."""

from django.db import migrations

import kepu.core.protected


def seal(apps, schema_editor):
    kepu.core.protected.seal_existing(schema_editor.connection, "org_user", {"totp_secret": (None, "totp")})


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='totp_secret',
            field=kepu.core.protected.ProtectedField(blank=True, editable=False),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
    ]
