"""The one helper every query of team-owned data goes through: another team's rows simply do not exist."""

from django.db.models import Model, QuerySet
from django.http import Http404


def scoped(source, team):
    """Rows of `source` (a model or queryset) that belong to `team`, following the model's TEAM_FIELD."""
    queryset = source._default_manager.all() if isinstance(source, type) and issubclass(source, Model) else source
    if not isinstance(queryset, QuerySet):
        raise TypeError(f"scoped() takes a model or a queryset, not {type(source).__name__}")
    if team is None:
        return queryset.none()
    field = getattr(queryset.model, "TEAM_FIELD", None)
    if field is None:
        raise TypeError(f"{queryset.model.__name__} is not team-owned (no TEAM_FIELD)")
    return queryset.filter(**{field: team})


def get_scoped_or_404(source, team, **lookup):
    """One row of the team's own, or 404: the same answer whether it is missing or another team's."""
    queryset = scoped(source, team)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404("Not found") from exc
