"""Drops a team's cached grid pages when a row they show is saved or deleted, wherever the write came from.

Assets, tags and boards saved or deleted one by one (by the services, the admin, factories) arrive here as model
signals; writes that send none (bulk inserts and updates, a board's items) call grid_cache.library_changed in the
services. The member list counts too: the grid's "Made by" filter names every member by email.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from library.grid_cache import library_changed
from library.models import Asset, Board, Tag
from studio.teams.models import Membership


def _team_row_changed(sender, instance, **kwargs):
    library_changed(instance.team_id)


def _asset_tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        library_changed(instance.team_id)  # an asset or a tag, depending on the side it was changed from


def _user_changed(sender, instance, created=False, update_fields=None, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= {"last_login", "password"}):
        return  # a new user is in no team yet; every sign-in saves these two, which the grid does not show
    for team_id in Membership.objects.filter(user=instance).values_list("team_id", flat=True):
        library_changed(team_id)


def connect():
    for model in (Asset, Tag, Board, Membership):
        post_save.connect(_team_row_changed, sender=model, dispatch_uid=f"library-grid-{model.__name__}-save")
        post_delete.connect(_team_row_changed, sender=model, dispatch_uid=f"library-grid-{model.__name__}-delete")
    m2m_changed.connect(_asset_tags_changed, sender=Asset.tags.through, dispatch_uid="library-grid-asset-tags")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="library-grid-user")
