"""Public (portal) pages of this domain: /services/…"""

from django.urls import path

from kepu.service_orders import portal

app_name = "service_orders_portal"

urlpatterns = [
    path("", portal.menu, name="menu"),
    path("verify/", portal.verify, name="verify"),
    path("order/", portal.order_form, name="order"),
    path("mine/", portal.mine, name="mine"),
    path("mine/<id:order_id>/", portal.mine_detail, name="mine_detail"),
    path("mine/<id:order_id>/cancel/", portal.mine_cancel, name="mine_cancel"),
    path("mine/<id:order_id>/rate/", portal.mine_rate, name="mine_rate"),
    path("mine/<id:order_id>/photos/<id:photo_id>/", portal.mine_photo, name="mine_photo"),
    path("rate/<str:token>/", portal.rate, name="rate"),
]
