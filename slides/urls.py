"""Slides URLs, mounted at /slides/."""

from django.urls import path

from slides import views

urlpatterns = [
    path("", views.carousel_list, name="slides"),
    path("brand/", views.brand_kit, name="slides_brand"),
    path("brand/colours/", views.brand_colours, name="slides_brand_colours"),
    path("brand/fonts/", views.brand_font, name="slides_brand_font"),
    path("brand/fonts/clear/", views.brand_font_clear, name="slides_brand_font_clear"),
    path("brand/fonts/<int:font_id>/delete/", views.brand_font_delete, name="slides_brand_font_delete"),
    path("brand/fonts/<int:font_id>/sample.png", views.brand_font_sample, name="slides_brand_font_sample"),
    path("brand/logo/", views.brand_logo, name="slides_brand_logo"),
    path("<int:carousel_id>/", views.carousel_detail, name="slides_carousel"),
    path("<int:carousel_id>/add/", views.slide_add, name="slides_slide_add"),
    path("<int:carousel_id>/backgrounds/", views.backgrounds_make, name="slides_backgrounds"),
    path("<int:carousel_id>/export/pdf/", views.carousel_export, {"kind": "pdf"}, name="slides_export_pdf"),
    path("<int:carousel_id>/export/images/", views.carousel_export, {"kind": "images"}, name="slides_export_images"),
    path("slide/<int:slide_id>/", views.slide_edit, name="slides_slide_edit"),
    path("slide/<int:slide_id>/card/", views.slide_card, name="slides_slide_card"),
    path("slide/<int:slide_id>/image.jpg", views.slide_image, name="slides_slide_image"),
    path("slide/<int:slide_id>/move/", views.slide_move, name="slides_slide_move"),
    path("slide/<int:slide_id>/delete/", views.slide_delete, name="slides_slide_delete"),
]
