"""Forms for a carousel's brief and a slide's text; the limits live in the models and the outliner."""

from django import forms

from slides import outline
from slides.models import DEFAULT_SLIDES, MAX_SLIDES, MIN_SLIDES, Layout, Preset


def _limited(label, max_length, *, required=False, help_text="", widget=None):
    field = forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=widget,
        strip=True,
        error_messages={
            "required": f"Write the {label.lower()}: the outline is built from it.",
            "max_length": f"Keep the {label.lower()} to %(limit_value)d characters (this has %(show_value)d).",
        },
    )
    return field


class BriefForm(forms.Form):
    topic = _limited(
        "Topic",
        300,
        required=True,
        help_text="What the carousel is about, in a sentence.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    audience = _limited("Audience", 200, help_text="Who it is for, e.g. “founders of small shops”.")
    goal = _limited("Goal", 200, help_text="What a reader should do or know after the last slide.")
    tone = _limited("Tone", 100, help_text="e.g. warm, confident, playful.")
    slide_count = forms.TypedChoiceField(
        label="Slides",
        coerce=int,
        choices=[(n, str(n)) for n in range(MIN_SLIDES, MAX_SLIDES + 1)],
        initial=DEFAULT_SLIDES,
        error_messages={"invalid_choice": f"Choose {MIN_SLIDES} to {MAX_SLIDES} slides."},
    )
    preset = forms.ChoiceField(label="Platform", choices=Preset.choices, initial=Preset.INSTAGRAM)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)  # the server says how long is too long, at the field


class SlideForm(forms.Form):
    layout = forms.ChoiceField(label="Layout", choices=Layout.choices)
    headline = forms.CharField(label="Headline", max_length=outline.HEADLINE_MAX * 4, strip=True, required=False)
    body = forms.CharField(
        label="Body",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A list layout takes one item per line.",
    )

    def __init__(self, *args, slide=None, **kwargs):
        if slide is not None:
            kwargs.setdefault("initial", {"layout": slide.layout, "headline": slide.headline, "body": slide.body})
            kwargs.setdefault("prefix", f"slide-{slide.pk}")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)
