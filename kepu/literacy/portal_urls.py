"""Public (portal) pages of this domain: the published headline and trend."""

from django.urls import path

from kepu.literacy.views import portal

app_name = "literacy_portal"

urlpatterns = [
    path("", portal.index, name="index"),
]
