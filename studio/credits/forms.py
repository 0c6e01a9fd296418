"""Forms of the credits pages and of the operators' admin: ledger filters, granting credits, price rules."""

import uuid

from django import forms
from django.contrib.auth import get_user_model

from studio.core.forms import DateRangeMixin
from studio.credits.models import LedgerEntry, PriceRule
from studio.credits.pricing import ANY_QUALITY, QUALITIES
from studio.credits.selectors import ledger_model_ids
from studio.engines.capabilities import model_choices
from studio.teams.models import Membership
from studio.teams.scoping import scoped

MAX_GRANT = 10_000_000


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.email or obj.get_username()


class LedgerFilterForm(DateRangeMixin, forms.Form):
    """The ledger's GET filters; a value that does not validate is reported beside its field and not applied."""

    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *LedgerEntry.Kind.choices])
    model = forms.ChoiceField(required=False, label="Model")
    member = MemberChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="All members",
        error_messages={"invalid_choice": "That person is not a member of this team."},
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        configured = model_choices()
        known = {model_id for model_id, _ in configured}
        retired = [(model_id, model_id) for model_id in ledger_model_ids(team) if model_id not in known]
        self.fields["model"].choices = [("", "All models"), *configured, *retired]
        member_ids = scoped(Membership, team).values("user_id")
        self.fields["member"].queryset = get_user_model().objects.filter(pk__in=member_ids).order_by("email")
        self.fields["date_from"].error_messages["invalid"] = "Enter a date like 2026-11-03."
        self.fields["date_to"].error_messages["invalid"] = "Enter a date like 2026-11-30."

    def filters(self):
        """The valid filters, for ledger_for(); invalid ones are left out (their errors are on the form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "kind": data.get("kind"),
            "model_id": data.get("model"),
            "user": data.get("member"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class GrantCreditsForm(forms.Form):
    """An operator's top-up; `request_key` is minted when the form is shown, so submitting twice grants once."""

    amount = forms.IntegerField(
        min_value=1,
        max_value=MAX_GRANT,
        help_text="Whole credits to add to the team's spendable balance.",
        error_messages={"min_value": "Grant at least 1 credit.", "required": "Say how many credits to grant."},
    )
    memo = forms.CharField(
        max_length=200,
        required=False,
        help_text="Why, for the team's ledger and audit log (an invoice number, a goodwill top-up).",
    )
    request_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form lost its submission key; open it again from the wallet page.",
            "invalid": "This form lost its submission key; open it again from the wallet page.",
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"request_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class PriceRuleForm(forms.ModelForm):
    """Price rules for configured models only, and qualities the engines know, so a typo cannot go unpriced."""

    class Meta:
        model = PriceRule
        fields = ["model_id", "tier", "quality", "credits"]
        labels = {"model_id": "Model", "credits": "Credits per image"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = model_choices()
        current = self.instance.model_id if self.instance.pk else None
        if current and current not in dict(choices):
            choices.append((current, current))
        self.fields["model_id"] = forms.ChoiceField(choices=choices, label="Model")
        self.fields["quality"] = forms.ChoiceField(
            choices=[(ANY_QUALITY, "Any quality (*)"), *[(q, q.capitalize()) for q in QUALITIES]],
            initial=ANY_QUALITY,
            help_text="A rule for an exact quality wins over the 'any quality' rule of the same model and tier.",
        )


class CreditRequestForm(forms.Form):
    """A member's request: how many credits, and what for."""

    amount = forms.IntegerField(
        min_value=1,
        max_value=1_000_000,
        label="Credits",
        help_text="What an image costs depends on the model, its size and quality; the offline draft engine is free.",
        error_messages={
            "required": "Say how many credits you need.",
            "min_value": "Ask for at least 1 credit.",
            "max_value": "Ask for at most 1,000,000 credits at a time.",
            "invalid": "Enter a whole number of credits.",
        },
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Note for the admins",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What the credits are for, e.g. the spring campaign"}),
        error_messages={"max_length": "Keep the note under 500 characters."},
    )


class CreditAnswerForm(forms.Form):
    """An admin's answer: the credits to grant (the asked amount by default) and a note for the member."""

    amount = forms.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        label="Credits to grant",
        error_messages={
            "min_value": "Grant at least 1 credit, or decline the request.",
            "max_value": "Grant at most 1,000,000 credits at a time.",
            "invalid": "Enter a whole number of credits.",
        },
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Note for the member",
        error_messages={"max_length": "Keep the note under 500 characters."},
    )
