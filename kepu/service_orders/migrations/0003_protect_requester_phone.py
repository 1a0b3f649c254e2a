"""The requester's phone encrypted at rest, with a keyed digest for "this phone's orders"."""

from django.db import migrations, models

import kepu.core.protected


def seal(apps, schema_editor):
    kepu.core.protected.seal_existing(schema_editor.connection, "service_orders_serviceorder", {
        "requester_phone": ("requester_phone_digest", "phone")})


class Migration(migrations.Migration):

    dependencies = [
        ('service_orders', '0002_remove_phoneverification_phone_code_recent_and_more'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='serviceorder',
            name='order_phone_placed',
        ),
        migrations.AddField(
            model_name='serviceorder',
            name='requester_phone_digest',
            field=kepu.core.protected.DigestField(kind='phone', source='requester_phone'),
        ),
        migrations.AlterField(
            model_name='serviceorder',
            name='requester_phone',
            field=kepu.core.protected.ProtectedField(verbose_name='联系电话'),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='serviceorder',
            index=models.Index(fields=['requester_phone_digest', '-placed_at'], name='order_phone_placed'),
        ),
    ]
