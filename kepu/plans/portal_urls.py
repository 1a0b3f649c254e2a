"""Public (portal) pages of this domain: published plan summaries and assessment results."""

from django.urls import path

from kepu.plans.views import portal

app_name = "plans_portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("<id:plan_id>/", portal.plan_summary, name="plan"),
    path("assessments/<id:rubric_id>/", portal.results, name="results"),
    path("assessments/<id:rubric_id>/versions/<id:number>/", portal.results, name="results_version"),
]
