from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kepu.plans"
    label = "plans"
    verbose_name = "纲要实施"
