from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "kepu.org"
    label = "org"
    verbose_name = "组织与权限"
