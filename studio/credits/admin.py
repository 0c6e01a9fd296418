"""The operators' side of credits: price rules they edit, wallets they top up, a ledger nobody can rewrite."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from studio.core.admin import ReadOnlyAdminMixin
from studio.credits.forms import GrantCreditsForm, PriceRuleForm
from studio.credits.models import CreditRequest, LedgerEntry, PriceRule, VideoPriceRule, Wallet
from studio.credits.services import credits_grant_by_operator


@admin.register(PriceRule)
class PriceRuleAdmin(admin.ModelAdmin):
    form = PriceRuleForm
    list_display = ("model_id", "tier", "quality", "credits", "updated_at")
    list_editable = ("credits",)
    list_filter = ("model_id", "tier", "quality")
    search_fields = ("model_id",)


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only balances; credits only arrive through the "Grant credits" form, which writes the ledger."""

    list_display = ("team", "balance", "held", "updated_at")
    list_select_related = ("team",)
    search_fields = ("team__name", "team__slug")
    readonly_fields = ("team", "balance", "held", "updated_at")
    change_form_template = "credits/admin/wallet_change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_grant"] = request.user.has_perm("credits.grant_credits")
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self):
        grant = path(
            "<path:object_id>/grant/", self.admin_site.admin_view(self.grant_view), name="credits_wallet_grant"
        )
        return [grant, *super().get_urls()]

    def grant_view(self, request, object_id):
        if not request.user.has_perm("credits.grant_credits"):
            raise PermissionDenied("Granting credits needs the 'Can grant credits to a team' permission.")
        wallet = get_object_or_404(Wallet.objects.select_related("team"), pk=object_id)
        form = GrantCreditsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            amount = form.cleaned_data["amount"]
            _, granted = credits_grant_by_operator(
                team=wallet.team,
                operator=request.user,
                amount=amount,
                memo=form.cleaned_data["memo"],
                idempotency_key=f"admin-grant-{form.cleaned_data['request_key']}",
            )
            if granted:
                messages.success(request, f"Granted {amount} credits to {wallet.team}.")
            else:
                messages.info(request, "That grant was already made; it was not made again.")
            return redirect("admin:credits_wallet_change", wallet.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "wallet": wallet,
            "form": form,
            "title": f"Grant credits to {wallet.team}",
        }
        return TemplateResponse(request, "credits/admin/grant.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: entries are written by the services, and here only read."""

    list_display = ("created_at", "wallet", "kind", "amount", "model_id", "user", "memo")
    list_filter = ("kind", "created_at", "model_id")
    list_select_related = ("wallet__team", "user")
    search_fields = ("wallet__team__name", "idempotency_key", "memo")
    date_hierarchy = "created_at"


@admin.register(CreditRequest)
class CreditRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Members' requests, for operators to see what teams are waiting for; team admins answer them in the studio."""

    deletable = True  # as before: an operator may clear out a request, never write one
    list_display = ("team", "requested_by", "amount", "status", "created_at", "answered_by", "answered_at")
    list_filter = ("status",)
    list_select_related = ("team", "requested_by", "answered_by")
    search_fields = ("team__name", "requested_by__email")


@admin.register(VideoPriceRule)
class VideoPriceRuleAdmin(admin.ModelAdmin):
    """Credits per clip by video model, mode (`*` for any) and duration; the offline animator is free by default."""

    list_display = ("model_id", "mode", "duration", "credits", "updated_at")
    list_editable = ("credits",)
    list_filter = ("model_id", "mode", "duration")
    search_fields = ("model_id",)
