"""Forms of the team pages: every message here is shown next to the field it is about."""

from django import forms

from studio.engines.capabilities import OFFLINE_MODEL_ID, image_models
from studio.engines.video import video_models
from studio.teams.models import OFFLINE_VIDEO_MODEL_ID, Provider, Role

INVITABLE_ROLES = [
    (Role.VIEWER.value, "Viewer: sees the team's work"),
    (Role.MEMBER.value, "Member: creates and edits"),
    (Role.ADMIN.value, "Admin: also manages members, models, keys and credits"),
]
ASSIGNABLE_ROLES = [(Role.VIEWER.value, "Viewer"), (Role.MEMBER.value, "Member"), (Role.ADMIN.value, "Admin")]


class TeamNameForm(forms.Form):
    name = forms.CharField(max_length=80, label="Team name", widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the team a name.")
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter the address to invite.", "invalid": "Enter a valid email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@company.com"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=INVITABLE_ROLES,
        initial=Role.MEMBER.value,
        error_messages={"invalid_choice": "Choose viewer, member or admin."},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role", choices=ASSIGNABLE_ROLES, error_messages={"invalid_choice": "Choose viewer, member or admin."}
    )


class OwnershipTransferForm(forms.Form):
    new_owner = forms.ModelChoiceField(
        label="New owner",
        queryset=None,
        empty_label="Choose a member",
        error_messages={
            "required": "Choose who becomes the owner.",
            "invalid_choice": "Choose a member of this team.",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = candidates
        self.fields["new_owner"].label_from_instance = lambda m: f"{m.user.email} ({m.get_role_display()})"


class TeamDeleteForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the team's name to confirm",
        max_length=80,
        error_messages={"required": "Type the team's name to confirm."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.team.name:
            raise forms.ValidationError(f"That is not the team's name. Type {self.team.name} exactly.")
        return typed


class ModelSettingsForm(forms.Form):
    allowed = forms.MultipleChoiceField(
        label="Allowed models", required=False, error_messages={"invalid_choice": "Unknown model: %(value)s."}
    )
    active = forms.ChoiceField(
        label="Active model",
        error_messages={"required": "Choose the active model.", "invalid_choice": "Unknown model: %(value)s."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.id, m.label) for m in image_models().values()]
        self.fields["allowed"].choices = choices
        self.fields["active"].choices = choices

    def clean_allowed(self):
        # The offline engine is always allowed: it is what works without any provider key.
        allowed = list(self.cleaned_data["allowed"])
        if OFFLINE_MODEL_ID not in allowed:
            allowed.append(OFFLINE_MODEL_ID)
        return allowed

    def clean(self):
        cleaned = super().clean()
        active, allowed = cleaned.get("active"), cleaned.get("allowed")
        if active and allowed is not None and active not in allowed:
            label = image_models()[active].label
            self.add_error("active", f"{label} is not allowed. Tick it above, or choose an allowed model.")
        return cleaned


class VideoModelSettingsForm(forms.Form):
    """The video half of the models page; prefixed "video" so its fields never mix with the image models'."""

    allowed = forms.MultipleChoiceField(
        label="Allowed video models",
        required=False,
        error_messages={"invalid_choice": "Unknown video model: %(value)s."},
    )
    active = forms.ChoiceField(
        label="Default video model",
        error_messages={
            "required": "Choose the default video model.",
            "invalid_choice": "Unknown video model: %(value)s.",
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "video")
        super().__init__(*args, **kwargs)
        choices = [(m.id, m.label) for m in video_models().values()]
        self.fields["allowed"].choices = choices
        self.fields["active"].choices = choices

    def clean_allowed(self):
        # The offline animator is always allowed: it is what works without any provider key.
        allowed = list(self.cleaned_data["allowed"])
        if OFFLINE_VIDEO_MODEL_ID not in allowed:
            allowed.append(OFFLINE_VIDEO_MODEL_ID)
        return allowed

    def clean(self):
        cleaned = super().clean()
        active, allowed = cleaned.get("active"), cleaned.get("allowed")
        if active and allowed is not None and active not in allowed:
            label = video_models()[active].label
            self.add_error("active", f"{label} is not allowed. Tick it above, or choose an allowed video model.")
        return cleaned


class ProviderKeyForm(forms.Form):
    """The secret only: the provider comes from ProviderForm, and this form is prefixed with it per card."""

    api_key = forms.CharField(
        label="API key",
        max_length=500,
        strip=True,
        error_messages={"required": "Paste the key.", "max_length": "That is longer than any provider key."},
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "Paste a key"}
        ),
    )

    def clean_api_key(self):
        key = self.cleaned_data["api_key"]
        if any(ch.isspace() for ch in key):
            raise forms.ValidationError("A key has no spaces or line breaks; paste it again.")
        if len(key) < 8:
            raise forms.ValidationError("That is too short to be a provider key.")
        return key


class KlingKeyForm(ProviderKeyForm):
    """Kling's pair: `api_key` is the access key (its last four are shown), `secret_key` signs each request."""

    secret_key = forms.CharField(
        label="Secret key",
        max_length=500,
        strip=True,
        error_messages={
            "required": "Paste the secret key as well.",
            "max_length": "That is longer than any provider key.",
        },
        widget=forms.PasswordInput(
            render_value=False,
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "Paste the secret key"},
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["api_key"].label = "Access key"
        self.fields["api_key"].error_messages["required"] = "Paste the access key."
        self.fields["api_key"].widget.attrs["placeholder"] = "Paste the access key"

    def clean_secret_key(self):
        key = self.cleaned_data["secret_key"]
        if any(ch.isspace() for ch in key):
            raise forms.ValidationError("A key has no spaces or line breaks; paste it again.")
        if len(key) < 8:
            raise forms.ValidationError("That is too short to be a Kling secret key.")
        return key


def provider_key_form(provider, *args, **kwargs):
    """The key form of `provider`'s card, prefixed with the provider."""
    form_class = KlingKeyForm if provider == Provider.KLING else ProviderKeyForm
    return form_class(*args, prefix=provider, **kwargs)


class ProviderForm(forms.Form):
    provider = forms.ChoiceField(
        choices=Provider.choices,
        error_messages={"required": "Choose a provider.", "invalid_choice": "Unknown provider."},
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Action", required=False)

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions"), *actions]
