"""Back-office pages of the volunteers domain (/office/volunteers/)."""

from django.urls import path

from kepu.volunteers.views import activities, figures, hours, people, stars, teams

app_name = "volunteers"

urlpatterns = [
    path("teams/", teams.team_list, name="team_list"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/export/", teams.team_export, name="team_export"),
    path("teams/import/", teams.team_import, name="team_import"),
    path("teams/<id:team_id>/", teams.team_detail, name="team_detail"),
    path("teams/<id:team_id>/edit/", teams.team_edit, name="team_edit"),
    path("teams/<id:team_id>/deactivate/", teams.team_deactivate, name="team_deactivate"),
    path("memberships/<id:membership_id>/approve/", teams.membership_approve, name="membership_approve"),
    path("memberships/<id:membership_id>/reject/", teams.membership_reject, name="membership_reject"),
    path("memberships/<id:membership_id>/leader/", teams.membership_leader, name="membership_leader"),
    path("memberships/<id:membership_id>/remove/", teams.membership_remove, name="membership_remove"),
    path("people/", people.volunteer_list, name="volunteer_list"),
    path("people/new/", people.volunteer_create, name="volunteer_create"),
    path("people/export/", people.volunteer_export, name="volunteer_export"),
    path("people/import/", people.volunteer_import, name="volunteer_import"),
    path("people/<id:volunteer_id>/", people.volunteer_detail, name="volunteer_detail"),
    path("people/<id:volunteer_id>/edit/", people.volunteer_edit, name="volunteer_edit"),
    path("people/<id:volunteer_id>/deactivate/", people.volunteer_deactivate, name="volunteer_deactivate"),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<id:activity_id>/", activities.activity_detail, name="activity_detail"),
    path("activities/<id:activity_id>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<id:activity_id>/display/", activities.activity_display, name="activity_display"),
    path("activities/<id:activity_id>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("activities/<id:activity_id>/new-code/", activities.activity_new_code, name="activity_new_code"),
    path("hours/", hours.hours_list, name="hours_list"),
    path("hours/new/", hours.hours_create, name="hours_create"),
    path("hours/export/", hours.hours_export, name="hours_export"),
    path("hours/approve/", hours.hours_approve_many, name="hours_approve_many"),
    path("hours/<id:hours_id>/approve/", hours.hours_approve, name="hours_approve"),
    path("hours/<id:hours_id>/decline/", hours.hours_decline, name="hours_decline"),
    path("hours/<id:hours_id>/withdraw/", hours.hours_withdraw, name="hours_withdraw"),
    path("stars/", stars.star_list, name="star_list"),
    path("stars/<id:application_id>/", stars.star_detail, name="star_detail"),
    path("stars/<id:application_id>/approve/", stars.star_approve, name="star_approve"),
    path("stars/<id:application_id>/return/", stars.star_return, name="star_return"),
    path("stars/<id:application_id>/issue/", stars.certificate_issue, name="certificate_issue"),
    path("objections/<id:objection_id>/handle/", stars.objection_handle, name="objection_handle"),
    path("certificates/<id:certificate_id>/", stars.certificate_print, name="certificate_print"),
    path("certificates/<id:certificate_id>/revoke/", stars.certificate_revoke, name="certificate_revoke"),
    path("figures/", figures.figures_page, name="figures"),
    path("figures/export/", figures.figures_export, name="figures_export"),
]
