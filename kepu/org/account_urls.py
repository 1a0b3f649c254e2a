from django.urls import path

from kepu.org.views import account

app_name = "account"

urlpatterns = [
    path("password/", account.password_view, name="password"),
    path("security/", account.security_view, name="security"),
]
