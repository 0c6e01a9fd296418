"""Library URLs, mounted at /library/: the grid, uploads, an asset and its files, selections and boards."""

from django.urls import path

from library import views

urlpatterns = [
    path("", views.asset_grid, name="library"),
    path("upload/", views.asset_upload, name="library_upload"),
    path("assets/<int:asset_id>/", views.asset_detail, name="library_asset"),
    path("assets/<int:asset_id>/files/<str:variant>/", views.asset_file, name="library_asset_file"),
    path("assets/<int:asset_id>/download/", views.asset_download, name="library_asset_download"),
    path("assets/<int:asset_id>/rename/", views.asset_rename, name="library_asset_rename"),
    path("assets/<int:asset_id>/tags/", views.asset_tags, name="library_asset_tags"),
    path("assets/<int:asset_id>/rating/", views.asset_rating, name="library_asset_rating"),
    path("assets/<int:asset_id>/delete/", views.asset_delete, name="library_asset_delete"),
    path("selection/", views.selection_apply, name="library_selection"),
    path("selection/delete/", views.selection_delete, name="library_selection_delete"),
    path("selection/download/", views.selection_download, name="library_selection_download"),
    path("boards/", views.board_list, name="library_boards"),
    path("boards/<int:board_id>/", views.board_detail, name="library_board"),
    path("boards/<int:board_id>/rename/", views.board_rename, name="library_board_rename"),
    path("boards/<int:board_id>/delete/", views.board_delete, name="library_board_delete"),
    path("boards/<int:board_id>/reorder/", views.board_reorder, name="library_board_reorder"),
    path("boards/<int:board_id>/items/<int:asset_id>/remove/", views.board_item_remove, name="library_board_remove"),
    path("boards/<int:board_id>/items/<int:asset_id>/move/", views.board_item_move, name="library_board_move"),
]
