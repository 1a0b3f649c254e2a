from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kepu.core"
    label = "core"
    verbose_name = "公共内核"

    def ready(self) -> None:
        # Each domain declares its actions (and which role may do them in which data scope) in a
        # `permissions.py`; collecting them here gives one permission matrix for the whole platform.
        from django.urls import register_converter
        from django.utils.module_loading import autodiscover_modules

        from kepu.core import wording
        from kepu.core.converters import IdConverter

        register_converter(IdConverter, "id")
        wording.install()
        autodiscover_modules("permissions")
        autodiscover_modules("manifest")
