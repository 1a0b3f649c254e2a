from django.apps import AppConfig


class LiteracyConfig(AppConfig):
    name = "kepu.literacy"
    label = "literacy"
    verbose_name = "素质监测"
