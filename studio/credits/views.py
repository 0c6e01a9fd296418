"""Credits pages for team admins: balance, ledger, usage."""

from django.shortcuts import render

from studio.credits.selectors import wallet_for
from studio.teams.permissions import team_required


@team_required("view_credits")
def credits_overview(request):
    return render(request, "credits/overview.html", {"nav": "team", "wallet": wallet_for(request.team)})
