"""What every app's views share: the POST-only decorator and the toast a response carries to the page."""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django_htmx.http import trigger_client_event


def post_only(view=None, *, lookup=None):
    """Answer 405 to any method but POST, after looking up the URL's objects in the team scope.

    `lookup(request, **url_kwargs)` finds them and raises Http404 for an id that is not the team's, so another
    team's id answers 404 whatever the method (tests/core/test_cross_team_404.py) and a 405 tells nothing apart.
    It runs only for a refused method: a POST's view looks its objects up itself. Use as @post_only, or as
    @post_only(lookup=...) for a URL with ids.
    """

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.method != "POST":
                if lookup is not None:
                    lookup(request, *args, **kwargs)
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return checked

    return decorate(view) if view is not None else decorate


def toast(response, message, level="info"):
    """`response` carrying a toast for the page to show (static/js listens for the "toast" event)."""
    return trigger_client_event(response, "toast", {"message": message, "level": level})
