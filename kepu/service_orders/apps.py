from django.apps import AppConfig


class ServiceOrdersConfig(AppConfig):
    name = "kepu.service_orders"
    label = "service_orders"
    verbose_name = "基层科普服务"
