from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "kepu.volunteers"
    label = "volunteers"
    verbose_name = "科技志愿服务"
