"""Credits pages: for admins the balance, prices, usage and ledger; for everyone the requests for credits."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from studio.core.http import post_only
from studio.credits import services
from studio.credits.charts import usage_chart
from studio.credits.forms import CreditAnswerForm, CreditRequestForm, LedgerFilterForm
from studio.credits.models import CreditRequest
from studio.credits.pricing import price_table
from studio.credits.selectors import (
    credit_requests_answered,
    credit_requests_of,
    credit_requests_open,
    ledger_for,
    ledger_totals,
    usage_by_day,
    wallet_for,
)
from studio.engines.capabilities import model_label
from studio.teams.permissions import can, team_required
from studio.teams.scoping import get_scoped_or_404

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
    context["open_requests"] = list(credit_requests_open(request.team))
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


def _requests_page(request, *, form=None, answer_forms=None, status=200):
    answering = can(request.membership, "view_credits")
    open_requests = list(credit_requests_open(request.team)) if answering else []
    for item in open_requests:
        item.answer = (answer_forms or {}).get(item.pk)
    context = {
        "nav": "credits",
        "wallet": wallet_for(request.team),
        "form": form or CreditRequestForm(),
        "request_refusal": services.credit_request_refusal(request.membership),
        "mine": list(credit_requests_of(request.membership)),
        "answering": answering,
        "open_requests": open_requests,
        "answered": list(credit_requests_answered(request.team)) if answering else [],
    }
    return render(request, "credits/requests.html", context, status=status)


@team_required("view")
def credit_requests(request):
    """Ask for credits (members), see your answers; admins also see the team's open requests and answer them."""
    if request.method != "POST":
        services.credit_requests_mark_seen(membership=request.membership)
        return _requests_page(request)
    form = CreditRequestForm(request.POST)
    if form.is_valid():
        try:
            services.credit_request_create(membership=request.membership, **form.cleaned_data)
        except services.CreditsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Request sent. The team's admins have been told; their answer shows here.")
            return redirect("credit_requests")
    return _requests_page(request, form=form, status=422)


def _request_in_team(request, request_id):
    """post_only's lookup: the request for credits of the URL, in the team scope (404 otherwise)."""
    return get_scoped_or_404(CreditRequest, request.team, pk=request_id)


def _answer(request, request_id, answer):
    credit_request = _request_in_team(request, request_id)
    form = CreditAnswerForm(request.POST)
    if form.is_valid():
        try:
            message = answer(credit_request, form.cleaned_data)
        except services.CreditsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect("credit_requests")
    return _requests_page(request, answer_forms={credit_request.pk: form}, status=422)


@team_required("view_credits")
@post_only(lookup=_request_in_team)
def credit_request_grant(request, request_id):
    def grant(credit_request, data):
        done = services.credit_request_grant(
            membership=request.membership, credit_request=credit_request, amount=data["amount"], note=data["note"]
        )
        return f"Granted {done.granted_amount} credits to {done.requested_by.email or done.requested_by}."

    return _answer(request, request_id, grant)


@team_required("view_credits")
@post_only(lookup=_request_in_team)
def credit_request_decline(request, request_id):
    def decline(credit_request, data):
        done = services.credit_request_decline(
            membership=request.membership, credit_request=credit_request, note=data["note"]
        )
        return f"Declined the request of {done.requested_by.email or done.requested_by}; they see your note."

    return _answer(request, request_id, decline)


@team_required("view")
@post_only(lookup=_request_in_team)
def credit_request_withdraw(request, request_id):
    credit_request = _request_in_team(request, request_id)
    try:
        services.credit_request_withdraw(membership=request.membership, credit_request=credit_request)
    except services.CreditsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Request withdrawn.")
    return redirect("credit_requests")
