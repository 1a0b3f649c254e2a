from django.urls import path

from kepu.backoffice import views
from kepu.core.choices import choice_search

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/", views.review_queue, name="reviews"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<id:job_id>/download/", views.export_download, name="export_download"),
    path("choices/<slug:source>/", choice_search, name="choices"),
]
