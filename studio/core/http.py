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
            if refused := method_refusal(request, "POST"):
                if lookup is not None:
                    lookup(request, *args, **kwargs)
                return refused
            return view(request, *args, **kwargs)

        return checked

    return decorate(view) if view is not None else decorate


def method_refusal(request, *allowed):
    """A 405 for a method the view does not take, or None; called after the view has looked its ids up in the team,
    so another team's id is a 404 whatever the method."""
    taken = {method.upper() for method in allowed} | ({"HEAD"} if "GET" in {m.upper() for m in allowed} else set())
    return None if request.method in taken else HttpResponseNotAllowed(sorted(taken - {"HEAD"}))


def form_refused(form, errors):
    """Show a service's refusal ({field: message}) next to the form's fields, or above the form for the rest."""
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def form_errors_text(form):
    """Every message of a refused form in one line, for a page that can only say it in a flash message."""
    return "; ".join(error for errors in form.errors.values() for error in errors)


def toast(response, message, level="info"):
    """`response` carrying a toast for the page to show (static/js listens for the "toast" event)."""
    return trigger_client_event(response, "toast", {"message": message, "level": level})
