"""Influencer URLs, mounted at /influencers/."""

from django.urls import path

from influencers import views

urlpatterns = [
    path("", views.influencer_list, name="influencers"),
    path("new/", views.influencer_create, name="influencer_create"),
    path("anchor/", views.anchor_generate, name="influencer_anchor_generate"),
    path("anchor/<uuid:job_uuid>/", views.anchor_choose, name="influencer_anchor_choose"),
    path("settings/drift/", views.drift_settings, name="influencer_drift_settings"),
    path("<int:influencer_id>/", views.influencer_detail, name="influencer_detail"),
    path("<int:influencer_id>/edit/", views.influencer_edit, name="influencer_edit"),
    path("<int:influencer_id>/versions/", views.version_create, name="influencer_version_create"),
    path("<int:influencer_id>/preview/", views.influencer_preview, name="influencer_preview"),
    path("<int:influencer_id>/series/", views.series_create, name="influencer_series_create"),
    path("series/<int:series_id>/", views.series_detail, name="influencer_series"),
    path("series/<int:series_id>/scenes/", views.scenes_add, name="influencer_scenes_add"),
    path("series/<int:series_id>/download/", views.series_download, name="influencer_series_download"),
    path("scenes/<int:scene_id>/rerun/", views.scene_rerun, name="influencer_scene_rerun"),
    path("references/<int:reference_id>/image/", views.reference_image, name="influencer_reference_image"),
    path("studio-picker/", views.studio_picker, name="influencer_studio_picker"),
    path("attach/<int:asset_id>/", views.asset_attach, name="influencer_attach"),
]
