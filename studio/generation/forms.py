"""The Studio's generate form: parses what the browser sends and describes the controls the chosen model allows."""

from dataclasses import dataclass, field
from fractions import Fraction

from django import forms

from studio.engines import sizes
from studio.engines.capabilities import capabilities
from studio.engines.validation import MAX_PARTIAL_IMAGES, UNSTREAMED_FORMATS
from studio.generation.selectors import (
    CUSTOM_ASPECT,
    DEFAULTS,
    KEEPABLE_FORMATS,
    allowed_model_ids,
    default_model_id,
)

ASPECT_LABELS = {
    "auto": "Auto",
    "1:1": "Square",
    "4:5": "Portrait",
    "9:16": "Story",
    "16:9": "Wide",
    "4:3": "Classic",
    "3:4": "Classic tall",
    "2:3": "Poster",
    "3:2": "Photo",
    CUSTOM_ASPECT: "Custom",
}
QUALITY_CHOICES = [
    ("auto", "Auto"),
    ("low", "Low · fastest"),
    ("medium", "Medium"),
    ("high", "High"),
    ("xhigh", "Extra high"),
    ("max", "Max · finest, slowest"),
]
FORMAT_CHOICES = [
    ("png", "PNG"),
    ("jpeg", "JPEG"),
    ("webp", "WebP"),
    ("gif", "GIF · animated"),
    ("svg", "SVG · vector"),
]
# "Thinking": the API's `complexity`, planning spent before rendering; off leaves the model's default.
COMPLEXITY_CHOICES = [("", "Off"), ("low", "Low"), ("medium", "Medium"), ("high", "High")]
THINKING_HINT = "Plans the layout first: helps dense, multi-element and diagram prompts, and adds time."
FORMAT_NOTES = {
    "svg": "SVG makes one image, drawn as vectors, and arrives whole: no live frames.",
    "gif": "GIF arrives whole, as a short animation: no live frames, masks or compression.",
}
BACKGROUND_CHOICES = [("auto", "Auto"), ("opaque", "Opaque"), ("transparent", "Transparent")]
MODERATION_CHOICES = [("auto", "Standard"), ("low", "Less strict")]
FIDELITY_CHOICES = [("", "Default"), ("low", "Low"), ("high", "High")]
FRAME_CHOICES = [(str(n), str(n) if n else "None") for n in range(MAX_PARTIAL_IMAGES + 1)]
# Where each form field's errors are shown: the size picker gathers aspect, tier and custom edges.
ERROR_SLOTS = (
    "prompt",
    "model_id",
    "size",
    "quality",
    "n",
    "output_format",
    "output_compression",
    "background",
    "moderation",
    "partial_images",
    "input_fidelity",
    "complexity",
    "references",
    "mask",
    "markup",
    "seed",
    "credits",
)
FORM_FIELD_SLOTS = {
    "aspect": "size",
    "tier": "size",
    "width": "size",
    "height": "size",
    "mask_data": "mask",
    "markup_data": "markup",
}
WHOLE_NUMBER = {"invalid": "Enter a whole number."}
PICKED_AGAIN = "The influencer picked was not recognised; choose it again in the influencer picker."


class StudioForm(forms.Form):
    prompt = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    model_id = forms.ChoiceField(error_messages={"invalid_choice": "Choose one of the models your team can use."})
    aspect = forms.ChoiceField(choices=[(a, ASPECT_LABELS[a]) for a in (*sizes.ASPECTS, CUSTOM_ASPECT)])
    tier = forms.ChoiceField(choices=[(t, t) for t in sizes.TIERS], required=False)
    width = forms.IntegerField(required=False, error_messages=WHOLE_NUMBER)
    height = forms.IntegerField(required=False, error_messages=WHOLE_NUMBER)
    quality = forms.ChoiceField(choices=QUALITY_CHOICES)
    n = forms.IntegerField(error_messages={**WHOLE_NUMBER, "required": "Choose how many images to make."})
    output_format = forms.ChoiceField(choices=FORMAT_CHOICES)
    output_compression = forms.IntegerField(required=False, error_messages=WHOLE_NUMBER)
    background = forms.ChoiceField(choices=BACKGROUND_CHOICES)
    moderation = forms.ChoiceField(choices=MODERATION_CHOICES, required=False)
    partial_images = forms.TypedChoiceField(choices=FRAME_CHOICES, coerce=int, required=False)
    input_fidelity = forms.ChoiceField(choices=FIDELITY_CHOICES, required=False)
    complexity = forms.ChoiceField(
        choices=COMPLEXITY_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Thinking must be off, low, medium or high."},
    )
    seed = forms.IntegerField(required=False, error_messages=WHOLE_NUMBER)
    mask_data = forms.CharField(required=False)
    markup_data = forms.CharField(required=False)
    # Set by the influencer picker and carried in the job's params, so the influencers app can mark the outputs.
    influencer_version = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={"invalid": PICKED_AGAIN, "min_value": PICKED_AGAIN},
    )

    def __init__(self, data=None, *, team, initial=None):
        defaults = {**DEFAULTS, "model_id": default_model_id(team)}
        super().__init__(data, initial={**defaults, **(initial or {})})
        self.team = team
        self.fields["model_id"].choices = [(m, capabilities(m).label) for m in allowed_model_ids(team)]

    def value(self, name):
        """What the field holds now: the submitted text when bound, else its initial value."""
        if self.is_bound:
            return self.data.get(name, "")
        return self.initial.get(name, "")

    def references(self):
        """[{"asset_id", "role"}] in the order of the chips (Image 1…N)."""
        if not self.is_bound:
            return []
        assets, roles = self.data.getlist("reference_asset"), self.data.getlist("reference_role")
        return [{"asset_id": asset, "role": role} for asset, role in zip(assets, roles, strict=False)]

    def slot_errors(self):
        """The form's own errors (wrong types, unknown choices), keyed by where they are shown."""
        errors = {}
        for name, messages in self.errors.items():
            errors.setdefault(FORM_FIELD_SLOTS.get(name, name), messages[0])
        return errors

    def generation_data(self):
        """The service's input, from a valid form."""
        data = {key: value for key, value in self.cleaned_data.items() if key not in ("mask_data", "markup_data")}
        if data.get("partial_images") in (None, ""):
            data["partial_images"] = DEFAULTS["partial_images"]
        data["references"] = self.references()
        data["mask"] = self.cleaned_data.get("mask_data") or None
        data["markup"] = self.cleaned_data.get("markup_data") or None
        data["complexity"] = self.cleaned_data.get("complexity") or None
        return data


class RefineForm(forms.Form):
    prompt = forms.CharField(
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what to change, for example “make the sky warmer”."},
    )


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(required=False)
    model = forms.ChoiceField(required=False)
    member = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, team, members, models):
        super().__init__(data)
        from studio.generation.models import GenerationJob

        self.fields["status"].choices = [("", "Any status"), *GenerationJob.Status.choices]
        self.fields["model"].choices = [("", "Any model"), *[(m, capabilities(m).label) for m in models]]
        self.fields["member"].choices = [("", "Anyone"), *[(m.user_id, m.user.email) for m in members]]


@dataclass
class Option:
    value: str
    label: str
    detail: str = ""
    experimental: bool = False
    selected: bool = False
    disabled: bool = False


@dataclass
class Controls:
    """What the model-dependent controls show for the chosen model, clamped to what it can do."""

    model_id: str
    model_label: str
    is_offline: bool
    aspects: list = field(default_factory=list)
    tiers: list = field(default_factory=list)
    custom: bool = False
    width: str = ""
    height: str = ""
    size_rule: str = ""
    quality: str = "auto"
    qualities: list = field(default_factory=list)
    n: int = 1
    n_max: int = 10
    output_format: str = "png"
    formats: list = field(default_factory=list)
    format_note: str = ""
    streams: bool = True  # False for GIF and SVG: no live frames
    output_compression: str = ""
    backgrounds: list = field(default_factory=list)
    background: str = "auto"
    fidelity: str | None = None  # None: the model has no choice to offer
    thinking: bool = False  # the model takes `complexity`
    complexity: str = ""
    complexities: list = field(default_factory=list)
    thinking_hint: str = THINKING_HINT
    partial_images: int = 3
    moderation: str = "auto"
    seed: str = ""
    max_references: int = 16
    max_prompt_chars: int = 32_000
    mask: bool = True
    markup: bool = False

    @property
    def max_prompt_label(self):
        return f"{self.max_prompt_chars:,}"


def _int_or(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _ratio_words(ratio):
    fraction = Fraction(ratio).limit_denominator(10)
    return f"{fraction.numerator}:{fraction.denominator}"


def size_rule_words(model_id):
    """The custom-size rule of a model, in words, for the hint under width × height."""
    rule = capabilities(model_id).sizes
    if rule.get("mode") != "custom":
        listed = [size.replace("x", "×") for size in rule.get("sizes", [])]
        return "This model makes only " + ", ".join(listed) + "."
    return (
        f"Both edges multiples of {rule['multiple_of']}, long edge up to {rule['max_edge']:,} px, ratio up to "
        f"{_ratio_words(rule['max_ratio'])}, {rule['min_pixels']:,} to {rule['max_pixels']:,} pixels."
    )


def studio_controls(form):
    """The controls for the form's model, each value clamped to an option the model offers."""
    allowed = allowed_model_ids(form.team)
    model_id = form.value("model_id")
    model_id = model_id if model_id in allowed else default_model_id(form.team)
    caps = capabilities(model_id)
    tiers = sizes.tiers_for(model_id)
    aspect_values = [a for a in sizes.ASPECTS if a != sizes.AUTO or sizes.allows_auto(model_id)]
    if caps.sizes.get("mode") == "custom":
        aspect_values.append(CUSTOM_ASPECT)
    aspect = form.value("aspect") or DEFAULTS["aspect"]
    aspect = aspect if aspect in aspect_values else DEFAULTS["aspect"]
    tier = form.value("tier") or DEFAULTS["tier"]
    tier = tier if tier in tiers else "1K"
    experimental_tiers = {option.tier for option in sizes.size_options(model_id) if option.experimental and option.tier}
    background = form.value("background") or "auto"
    if background == "transparent" and not caps.transparent_background:
        background = "auto"
    output_format = form.value("output_format") or "png"
    keepable = [f for f in caps.output_formats if f in KEEPABLE_FORMATS]
    output_format = output_format if output_format in keepable else "png"
    quality = form.value("quality") or "auto"
    quality = quality if quality in caps.qualities else "auto"
    fidelity = None
    if len(caps.fidelities) > 1:
        fidelity = form.value("input_fidelity") or ""
    complexity = (form.value("complexity") or "") if caps.complexity else ""
    complexity = complexity if complexity in ("", "low", "medium", "high") else ""
    streams = output_format not in UNSTREAMED_FORMATS
    return Controls(
        model_id=model_id,
        model_label=caps.label,
        is_offline=caps.is_offline,
        aspects=[
            Option(a, ASPECT_LABELS[a], detail=a if ":" in a else "", selected=a == aspect) for a in aspect_values
        ],
        tiers=[Option(t, t, experimental=t in experimental_tiers, selected=t == tier) for t in tiers],
        custom=aspect == CUSTOM_ASPECT,
        width=str(form.value("width") or ""),
        height=str(form.value("height") or ""),
        size_rule=size_rule_words(model_id),
        quality=quality,
        qualities=[Option(v, label, selected=v == quality) for v, label in QUALITY_CHOICES if v in caps.qualities],
        n=1 if output_format == "svg" else min(max(_int_or(form.value("n"), 1), 1), caps.max_n),
        n_max=1 if output_format == "svg" else caps.max_n,
        output_format=output_format,
        formats=[
            Option(
                v,
                label if v in KEEPABLE_FORMATS else f"{label} (the library cannot keep it yet)",
                selected=v == output_format,
                disabled=v not in KEEPABLE_FORMATS,
            )
            for v, label in FORMAT_CHOICES
            if v in caps.output_formats
        ],
        format_note=FORMAT_NOTES.get(output_format, ""),
        streams=streams,
        output_compression=str(form.value("output_compression") or ""),
        backgrounds=[
            Option(value, label, selected=value == background)
            for value, label in BACKGROUND_CHOICES
            if value != "transparent" or caps.transparent_background
        ],
        background=background,
        fidelity=fidelity,
        thinking=caps.complexity,
        complexity=complexity,
        complexities=[Option(v, label, selected=v == complexity) for v, label in COMPLEXITY_CHOICES],
        partial_images=(
            min(max(_int_or(form.value("partial_images"), DEFAULTS["partial_images"]), 0), 3) if streams else 0
        ),
        moderation=form.value("moderation") or "auto",
        seed=str(form.value("seed") or ""),
        max_references=caps.max_references,
        max_prompt_chars=caps.max_prompt_chars,
        mask=caps.mask,
        markup=caps.markup,
    )
