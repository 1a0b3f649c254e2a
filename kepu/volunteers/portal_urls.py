"""Portal pages of the volunteers domain (/volunteer/): mobile first."""

from django.urls import path

from kepu.volunteers.views import portal

app_name = "volunteers_portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("register/", portal.register, name="register"),
    path("profile/", portal.profile, name="profile"),
    path("teams/", portal.teams, name="teams"),
    path("teams/<id:team_id>/join/", portal.team_join, name="team_join"),
    path("memberships/<id:membership_id>/leave/", portal.membership_leave, name="membership_leave"),
    path("sign/", portal.sign, name="sign"),
    path("s/<str:token>/", portal.sign_qr, name="sign_qr"),
    path("stars/apply/", portal.star_apply, name="star_apply"),
    path("stars/<id:application_id>/cancel/", portal.star_cancel, name="star_cancel"),
    path("notices/", portal.notices, name="notices"),
    path("notices/<id:application_id>/objection/", portal.objection, name="objection"),
    path("verify/", portal.verify, name="verify"),
]
