"""Team pages for the API: issue tokens (the secret is shown once) and revoke them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from studio.api import selectors, services
from studio.api.forms import ApiTokenForm
from studio.api.models import ApiToken
from studio.core.http import post_only
from studio.teams.permissions import team_required
from studio.teams.scoping import get_scoped_or_404


@never_cache  # the one response that carries a new secret must not be kept by any cache
@team_required("manage_api")
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = services.api_token_create(team=request.team, user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {
        "nav": "team",
        "tab": "api",
        "form": form,
        "issued": issued,
        "tokens": selectors.team_api_tokens(request.team),
        "api_base": request.build_absolute_uri("/api/v1"),
    }
    template = "api/tokens.html#tokens-panel" if request.htmx else "api/tokens.html"
    return render(request, template, context)


def _token_in_team(request, api_token_id):
    """post_only's lookup: the token of the URL, in the team scope (404 otherwise)."""
    return get_scoped_or_404(ApiToken, request.team, pk=api_token_id)


@team_required("manage_api")
@post_only(lookup=_token_in_team)
def api_token_revoke(request, api_token_id):
    token = _token_in_team(request, api_token_id)
    services.api_token_revoke(token=token, user=request.user)
    messages.success(request, f"{token.name} is revoked: requests with it now answer 401.")
    return redirect("api_tokens")
