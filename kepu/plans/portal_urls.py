"""Public (portal) pages of this domain."""

from django.urls import path  # noqa: F401

app_name = "plans_portal"

urlpatterns: list = []
