"""URL map: the public portal at /, the back office at /office/, the REST API at /api/."""

from django.urls import include, path

from kepu.api.api import api
from kepu.api.views import health
from kepu.org.views import account

urlpatterns = [
    path("", include("kepu.portal.urls")),
    path("login/", account.login_view, name="login"),
    path("login/verify/", account.verify_view, name="login_verify"),
    path("logout/", account.logout_view, name="logout"),
    path("account/", include("kepu.org.account_urls")),
    path("office/", include("kepu.backoffice.urls")),
    path("office/org/", include("kepu.org.urls")),
    path("office/messages/", include("kepu.notifications.urls")),
    path("office/plans/", include("kepu.plans.urls")),
    path("office/literacy/", include("kepu.literacy.urls")),
    path("office/volunteers/", include("kepu.volunteers.urls")),
    path("office/orders/", include("kepu.service_orders.urls")),
    path("plans/", include("kepu.plans.portal_urls")),
    path("literacy/", include("kepu.literacy.portal_urls")),
    path("volunteer/", include("kepu.volunteers.portal_urls")),
    path("services/", include("kepu.service_orders.portal_urls")),
    path("api/", api.urls),
    path("health/", health, name="health"),
]
# Uploaded files (evidence, photos) are never served as static media: each domain serves its files
# through a view that checks the data scope first.
