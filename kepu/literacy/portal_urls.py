"""Public (portal) pages of this domain."""

from django.urls import path  # noqa: F401

app_name = "literacy_portal"

urlpatterns: list = []
