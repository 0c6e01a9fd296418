"""The form an admin fills to issue an API token."""

from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Token name",
        error_messages={"required": "Give the token a name, such as the tool or script that will use it."},
        help_text="Say what will use it, e.g. “Campaign scheduler” or “Zapier”. You can revoke it at any time.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Campaign scheduler"}),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the token a name, such as the tool or script that will use it.")
        return name
