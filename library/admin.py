from django.contrib import admin

from library.models import Asset, Board, BoardItem, Tag


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "source", "format", "width", "height", "rating", "created_at"]
    list_filter = ["source", "kind", "format"]
    search_fields = ["name", "sha256"]
    raw_id_fields = ["team", "created_by", "parent"]
    readonly_fields = ["file", "thumb", "preview", "sha256", "bytes", "search_text"]
    exclude = ["search_vector"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "team"]
    search_fields = ["name"]
    raw_id_fields = ["team"]


class BoardItemInline(admin.TabularInline):
    model = BoardItem
    raw_id_fields = ["asset", "added_by"]
    extra = 0


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "created_at"]
    raw_id_fields = ["team", "created_by"]
    inlines = [BoardItemInline]
