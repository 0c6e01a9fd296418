"""Forms for a carousel's brief and a slide's text; the limits live in the models and the outliner."""

from django import forms

from slides import outline
from slides.models import DEFAULT_SLIDES, LOGO_SIZES, MAX_SLIDES, MIN_SLIDES, Layout, LogoPlacement, Preset


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
    follow_brand = forms.BooleanField(
        label="Follow the brand kit",
        required=False,
        help_text="Headlines and body text in the kit's fonts and colours, with its logo.",
    )
    influencer = forms.TypedChoiceField(
        label="Influencer",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Appears in the backgrounds of the first and last slides and any slide that shows a person.",
        error_messages={"invalid_choice": "Choose one of the team's influencers."},
    )
    style_reference = forms.TypedChoiceField(
        label="Style reference",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text="Every background follows this image's colours and light. Without one, the first slide's "
        "background becomes the reference for the rest.",
        error_messages={"invalid_choice": "Choose an image from the team's library as the style reference."},
    )

    def __init__(self, *args, influencers=(), style_images=(), has_kit=False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)  # the server says how long is too long, at the field
        self.fields["influencer"].choices = [("", "Nobody")] + [(pk, name) for pk, name in influencers]
        self.style_images = list(style_images)
        self.fields["style_reference"].choices = [("", "None")] + [(a.pk, a.name) for a in self.style_images]
        self.has_kit = has_kit
        if not has_kit:
            del self.fields["follow_brand"]
        else:
            self.fields["follow_brand"].initial = True
        if not influencers:
            del self.fields["influencer"]


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

    with_influencer = forms.BooleanField(label="The influencer appears in this background", required=False)

    def __init__(self, *args, slide=None, **kwargs):
        if slide is not None:
            initial = {"layout": slide.layout, "headline": slide.headline, "body": slide.body}
            kwargs.setdefault("initial", {**initial, "with_influencer": slide.with_influencer})
            kwargs.setdefault("prefix", f"slide-{slide.pk}")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)
        # Who appears is decided with the backgrounds: only while they are still to be asked for, with an influencer.
        if slide is None or not slide.carousel.influencer_id or slide.background_id or slide.background_job_id:
            del self.fields["with_influencer"]


class ColoursForm(forms.Form):
    primary = forms.CharField(label="Primary", required=False, help_text="Gradient behind slides without a background.")
    secondary = forms.CharField(label="Secondary", required=False)
    text = forms.CharField(label="Text", required=False, help_text="The colour of every headline and body line.")
    background = forms.CharField(label="Background", required=False, help_text="The scrim behind text, when needed.")


class FontForm(forms.Form):
    font = forms.FileField(
        label="Font file",
        required=False,
        help_text="A TTF or OTF, up to 10 MB. WOFF web fonts and collections are not taken.",
    )
    role = forms.ChoiceField(
        label="Use it for",
        choices=[("headline", "Headlines"), ("body", "Body text"), ("both", "Headlines and body text")],
        initial="headline",
    )
    licence = forms.BooleanField(
        label="We hold a licence to use this font in our designs and documents",
        required=False,
    )


class LogoForm(forms.Form):
    logo = forms.FileField(
        label="Logo file", required=False, help_text="PNG or WebP; a transparent background works best."
    )
    placement = forms.ChoiceField(label="Placement", choices=LogoPlacement.choices)
    size = forms.TypedChoiceField(
        label="Size",
        coerce=int,
        choices=[(size, f"{size} % of the slide's width") for size in LOGO_SIZES],
        error_messages={"invalid_choice": "Choose one of the logo sizes."},
    )
