from django.urls import path

from kepu.service_orders.views import menu, orders, stats

app_name = "service_orders"

urlpatterns = [
    path("", orders.order_list, name="order_list"),
    path("export/", orders.order_export, name="order_export"),
    path("new/", orders.order_create, name="order_create"),
    path("<id:order_id>/", orders.order_detail, name="order_detail"),
    path("<id:order_id>/dispatch/", orders.order_dispatch, name="order_dispatch"),
    path("<id:order_id>/reject/", orders.order_reject, name="order_reject"),
    path("<id:order_id>/claim/", orders.order_claim, name="order_claim"),
    path("<id:order_id>/return/", orders.order_return, name="order_return"),
    path("<id:order_id>/offer/", orders.order_offer, name="order_offer"),
    path("<id:order_id>/accept/", orders.order_accept, name="order_accept"),
    path("<id:order_id>/release/", orders.order_release, name="order_release"),
    path("<id:order_id>/start/", orders.order_start, name="order_start"),
    path("<id:order_id>/complete/", orders.order_complete, name="order_complete"),
    path("<id:order_id>/cancel/", orders.order_cancel, name="order_cancel"),
    path("<id:order_id>/recall/", orders.order_recall, name="order_recall"),
    path("<id:order_id>/reassign/", orders.order_reassign, name="order_reassign"),
    path("<id:order_id>/photos/<id:photo_id>/", orders.order_photo, name="order_photo"),
    path("menu/", menu.item_list, name="item_list"),
    path("menu/new/", menu.item_create, name="item_create"),
    path("menu/<id:item_id>/edit/", menu.item_edit, name="item_edit"),
    path("stats/", stats.stats_page, name="stats"),
    path("stats/export/", stats.stats_export, name="stats_export"),
    path("settings/", menu.settings_edit, name="settings"),
]
