"""Forms of influencers: creating one from uploads or library assets, a new version, a scene series, the threshold."""

import json

from django import forms

from influencers.models import MAX_AUTO_RERUNS, TRAIT_FIELDS, Influencer, Role
from library.models import STILLS, Asset
from studio.engines import sizes
from studio.engines.capabilities import image_models
from studio.teams.scoping import scoped

ACCEPT = "image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp"
UPLOAD_ROLES = list(Role)
ASPECTS = ["1:1", "4:5", "9:16", "16:9", "4:3", "3:4", "2:3", "3:2"]
MAX_JSON_BYTES = 256 * 1024


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DetailsForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Name",
        error_messages={"required": "Give the influencer a name."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Maya Chen", "autocomplete": "off"}),
    )
    description = forms.CharField(
        required=False, max_length=2000, label="Who they are", widget=forms.Textarea(attrs={"rows": 2})
    )
    default_model_id = forms.ChoiceField(label="Default model")
    consent_notes = forms.CharField(
        required=False,
        max_length=4000,
        label="Consent",
        help_text="Who agreed to this likeness being used, and when; where the signed release is kept.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    usage_notes = forms.CharField(
        required=False,
        max_length=4000,
        label="Usage notes",
        help_text="Channels, regions, dates or clients this character may and may not appear for.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, model_ids, **kwargs):
        super().__init__(*args, **kwargs)
        models = image_models()
        self.fields["default_model_id"].choices = [(model_id, models[model_id].label) for model_id in model_ids]
        self.fields["default_model_id"].error_messages["invalid_choice"] = "Choose one of the team's models."

    def details(self):
        data = self.cleaned_data
        return {key: data.get(key, "") for key in ("description", "consent_notes", "usage_notes", "default_model_id")}


class IdentityForm(forms.Form):
    """The reference set (uploads per role, or library assets), the trait sheet and the never-list."""

    nevers = forms.CharField(
        required=False,
        max_length=6000,
        label="Never",
        help_text="One per line, e.g. “no tattoos”, “never wears glasses”.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(required=False, max_length=200, label="What changed")

    def __init__(self, *args, team, keep=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.keep_refs = list(keep or [])
        for key, label in TRAIT_FIELDS:
            self.fields[f"trait_{key}"] = forms.CharField(required=False, max_length=300, label=label)
        for role in UPLOAD_ROLES:
            self.fields[f"upload_{role}"] = forms.FileField(
                required=False,
                label=Role(role).label,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )
        self.fields["library_assets"] = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
        for ref in self.keep_refs:
            self.fields[f"keep_{ref.pk}"] = forms.ChoiceField(
                required=False,
                label=ref.name or f"Image {ref.position}",
                choices=[("", "Remove from the set"), *Role.choices],
                initial=ref.role,
            )

    def clean_nevers(self):
        return _lines(self.cleaned_data["nevers"])

    def clean_library_assets(self):
        """`id:role,id:role` from the library picker, each an image of this team."""
        wanted = []
        for part in (self.cleaned_data.get("library_assets") or "").split(","):
            if not part.strip():
                continue
            pk, _, role = part.strip().partition(":")
            if not pk.isdigit() or role not in Role.values:
                raise forms.ValidationError("The chosen library images could not be read; choose them again.")
            wanted.append((int(pk), role))
        found = scoped(Asset, self.team).filter(STILLS).in_bulk([pk for pk, _ in wanted])
        if len(found) != len({pk for pk, _ in wanted}):
            raise forms.ValidationError("Some chosen images are no longer in the library; choose them again.")
        return [(found[pk], role) for pk, role in wanted]

    def traits(self):
        return {key: self.cleaned_data.get(f"trait_{key}", "") for key, _label in TRAIT_FIELDS}

    def uploads(self):
        return [
            (role, self.cleaned_data[f"upload_{role}"])
            for role in UPLOAD_ROLES
            if self.cleaned_data.get(f"upload_{role}")
        ]

    def kept(self):
        return [
            (ref, self.cleaned_data[f"keep_{ref.pk}"])
            for ref in self.keep_refs
            if self.cleaned_data.get(f"keep_{ref.pk}")
        ]

    def role_fields(self):
        return [self[f"upload_{role}"] for role in UPLOAD_ROLES]

    def trait_fields(self):
        return [self[f"trait_{key}"] for key, _label in TRAIT_FIELDS]

    def keep_fields(self):
        return [(ref, self[f"keep_{ref.pk}"]) for ref in self.keep_refs]


class SeriesForm(forms.Form):
    title = forms.CharField(required=False, max_length=120, label="Series title")
    briefs = forms.CharField(
        required=False,
        max_length=40_000,
        label="Scenes",
        help_text="One scene per line, e.g. “morning run along the river, golden light”.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    briefs_json = forms.FileField(
        required=False,
        label="…or a JSON file",
        help_text='A list of scenes: ["scene one", …] or [{"brief": "scene one"}, …].',
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )
    model_id = forms.ChoiceField(label="Model")
    aspect = forms.ChoiceField(label="Aspect", choices=[(aspect, aspect) for aspect in ASPECTS], initial="4:5")
    tier = forms.ChoiceField(label="Size", choices=[(tier, tier) for tier in sizes.TIERS], initial="1K")
    quality = forms.ChoiceField(
        label="Quality", choices=[(q, q.capitalize()) for q in ("auto", "low", "medium", "high")], initial="auto"
    )
    auto_rerun_max = forms.TypedChoiceField(
        label="Re-run drifted scenes",
        coerce=int,
        initial=0,
        choices=[(0, "Never"), *((n, f"Up to {n} time{'s' if n > 1 else ''}") for n in range(1, MAX_AUTO_RERUNS + 1))],
    )

    def __init__(self, *args, model_ids, **kwargs):
        super().__init__(*args, **kwargs)
        models = image_models()
        self.fields["model_id"].choices = [(model_id, models[model_id].label) for model_id in model_ids]

    def clean_briefs_json(self):
        upload = self.cleaned_data.get("briefs_json")
        if not upload:
            return []
        if upload.size > MAX_JSON_BYTES:
            raise forms.ValidationError("The JSON file is larger than 256 KB; keep it to the scenes.")
        try:
            items = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError("The file is not valid JSON; it should be a list of scenes.") from None
        if isinstance(items, dict):
            items = items.get("scenes")
        if not isinstance(items, list):
            raise forms.ValidationError('The JSON should be a list of scenes, e.g. ["scene one", "scene two"].')
        briefs = []
        for number, item in enumerate(items, start=1):
            brief = item.get("brief") if isinstance(item, dict) else item
            if not isinstance(brief, str) or not brief.strip():
                raise forms.ValidationError(f'Scene {number} in the file has no text; give each a "brief".')
            briefs.append(brief.strip())
        return briefs

    def clean(self):
        cleaned = super().clean()
        scenes = _lines(cleaned.get("briefs")) + list(cleaned.get("briefs_json") or [])
        if not scenes and not self.errors:
            self.add_error("briefs", "Write at least one scene, one per line, or choose a JSON file.")
        cleaned["scenes"] = scenes
        return cleaned

    def params(self):
        data = self.cleaned_data
        return {"aspect": data["aspect"], "tier": data["tier"], "quality": data["quality"], "partial_images": 2}


class ScenesAddForm(forms.Form):
    briefs = forms.CharField(
        max_length=40_000,
        label="More scenes",
        help_text="One scene per line.",
        error_messages={"required": "Write at least one scene, one per line."},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def scenes(self):
        return _lines(self.cleaned_data["briefs"])


class AttachForm(forms.Form):
    influencer = forms.ModelChoiceField(
        queryset=Influencer.objects.none(),
        label="Influencer",
        empty_label="Choose an influencer…",
        error_messages={
            "required": "Choose the influencer to attach this image to.",
            "invalid_choice": "That influencer is no longer there.",
        },
    )
    role = forms.ChoiceField(label="As", choices=Role.choices, initial=Role.FRONT)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["influencer"].queryset = scoped(Influencer, team).order_by("name")


class ThresholdForm(forms.Form):
    threshold = forms.FloatField(
        label="Drift threshold",
        min_value=0.2,
        max_value=1.0,
        help_text="Face distance above which an image has drifted; 0.6 is dlib's same-person line, lower is stricter.",
        error_messages={
            "min_value": "Choose 0.20 or more; below that even the same photo re-encoded can count as drift.",
            "max_value": "Choose 1.00 or less; above that different people pass as the same.",
            "invalid": "Enter a number such as 0.6.",
            "required": "Enter a number such as 0.6.",
        },
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )


class PreviewForm(forms.Form):
    """The series form as it is being written: the preview shows its first scene."""

    briefs = forms.CharField(required=False, max_length=40_000)
    model_id = forms.CharField(required=False, max_length=80)

    def first_brief(self):
        lines = _lines(self.cleaned_data.get("briefs"))
        return lines[0] if lines else ""


class AnchorForm(forms.Form):
    description = forms.CharField(
        max_length=2000,
        label="Describe the person",
        help_text="e.g. “a woman in her early 30s, East Asian, shoulder-length black hair with a fringe, freckles”.",
        error_messages={"required": "Describe the person: age, look, hair, what makes them recognisable."},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    model_id = forms.ChoiceField(label="Model")
    n = forms.TypedChoiceField(label="Candidates", coerce=int, choices=[(n, str(n)) for n in (2, 3, 4)], initial=4)

    def __init__(self, *args, model_ids, **kwargs):
        kwargs.setdefault("auto_id", "anchor_%s")  # shares the create page with the details form's fields
        super().__init__(*args, **kwargs)
        models = image_models()
        self.fields["model_id"].choices = [(model_id, models[model_id].label) for model_id in model_ids]
