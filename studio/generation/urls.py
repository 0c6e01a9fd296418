"""Studio URLs, mounted at /studio/: the page, its htmx endpoints, references, refine and the job history."""

from django.urls import path

from studio.generation import views

urlpatterns = [
    path("", views.studio, name="studio"),
    path("validate/", views.studio_validate, name="studio_validate"),
    path("controls/", views.studio_controls_region, name="studio_controls"),
    path("generate/", views.studio_generate, name="studio_generate"),
    path("recent/", views.studio_recent, name="studio_recent"),
    path("refine/<int:asset_id>/", views.studio_refine, name="studio_refine"),
    path("references/upload/", views.reference_upload, name="studio_reference_upload"),
    path("references/library/", views.reference_picker, name="studio_reference_picker"),
    path("references/<int:asset_id>/", views.reference_chip, name="studio_reference_chip"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:job_uuid>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_uuid>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:job_uuid>/markup.png", views.job_markup, name="job_markup"),
]
