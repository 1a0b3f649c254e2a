from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kepu.api"
    label = "api"
    verbose_name = "接口"
