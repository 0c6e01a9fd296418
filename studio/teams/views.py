"""Team pages: create, switch, and the settings overview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from studio.teams import selectors, services
from studio.teams.forms import TeamNameForm
from studio.teams.permissions import team_required


@login_required
def team_create(request):
    form = TeamNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(owner=request.user, name=form.cleaned_data["name"])
        services.team_switch(request=request, team_id=team.id)
        messages.success(request, f"{team.name} is ready. You are its owner.")
        return redirect("studio")
    return render(request, "teams/create.html", {"form": form})


@login_required
@require_POST
def team_switch(request):
    try:
        team = services.team_switch(request=request, team_id=request.POST.get("team"))
    except (services.TeamError, ValueError):
        messages.error(request, "You are not a member of that team.")
        return redirect("home")
    messages.info(request, f"Switched to {team.name}.")
    return redirect("home")


@team_required("view")
def team_settings(request):
    return render(
        request,
        "teams/settings.html",
        {"nav": "team", "members": selectors.team_members(request.team)},
    )
