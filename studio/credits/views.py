"""Credits pages for team admins: balance, prices and usage; the ledger with its filters."""

from django.core.paginator import Paginator
from django.shortcuts import render

from studio.credits.charts import usage_chart
from studio.credits.forms import LedgerFilterForm
from studio.credits.pricing import model_label, price_table
from studio.credits.selectors import ledger_for, ledger_totals, usage_by_day, wallet_for
from studio.teams.permissions import team_required

LEDGER_PAGE_SIZE = 50


@team_required("view_credits")
def credits_overview(request):
    by = "member" if request.GET.get("by") == "member" else "model"
    days, rows = usage_by_day(request.team, by=by, days=30)
    context = {"nav": "team", "chart": usage_chart(days, rows, by=by)}
    if request.htmx:
        return render(request, "credits/overview.html#usage-chart", context)
    models = request.team.allowed_models
    context["wallet"] = wallet_for(request.team)
    context["prices"] = [(model_label(m), tiers) for m, tiers in price_table(models).items()]
    return render(request, "credits/overview.html", context)


@team_required("view_credits")
def credits_ledger(request):
    form = LedgerFilterForm(request.GET or None, team=request.team)
    filters = form.filters()
    entries = ledger_for(request.team, filters)
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "team",
        "form": form,
        "page": page,
        "totals": ledger_totals(entries),
        "filtered": any(filters.values()),
    }
    template = "credits/ledger.html#ledger-results" if request.htmx else "credits/ledger.html"
    return render(request, template, context)
