from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "kepu.backoffice"
    label = "backoffice"
    verbose_name = "工作台"
