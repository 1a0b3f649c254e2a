"""The three standard scoring rule sets and the national targets, present on every installation."""

from decimal import Decimal

from django.db import migrations

from kepu.literacy import standards as std


def forwards(apps, schema_editor):
    ScoringRuleSet = apps.get_model("literacy", "ScoringRuleSet")
    LiteracyTarget = apps.get_model("literacy", "LiteracyTarget")
    for kind, name, description in std.STANDARD_RULE_SETS:
        if not ScoringRuleSet.objects.filter(name=name).exists():
            parameters = dict(std.DEFAULT_PARAMETERS[kind])
            ScoringRuleSet.objects.create(name=name, kind=kind, description=description, parameters=parameters)
    for year, value in std.NATIONAL_TARGETS:
        LiteracyTarget.objects.get_or_create(
            kind="national", year=year,
            defaults={"value": Decimal(value), "source": "《全民科学素质行动规划纲要（2021—2035年）》"})


class Migration(migrations.Migration):
    dependencies = [("literacy", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
