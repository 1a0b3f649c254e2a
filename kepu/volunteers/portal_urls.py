"""Public (portal) pages of this domain."""

from django.urls import path  # noqa: F401

app_name = "volunteers_portal"

urlpatterns: list = []
