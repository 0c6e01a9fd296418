"""Forms for a sequence's brief and a shot's fields; the limits live in the models and the video model table,
and the services have the last word (their refusals are shown beside the fields)."""

from django import forms

from studio.video.models import ASPECTS, BRIEF_MAX
from studio.video.services import default_model_id, team_models

ASPECT_CHOICES = [("16:9", "16:9 landscape"), ("9:16", "9:16 vertical"), ("1:1", "1:1 square")]


def _model_choices(team):
    return [(model.id, model.label) for model in team_models(team)]


def _unlimited(form):
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)  # the server says how long is too long, at the field


class BriefForm(forms.Form):
    brief = forms.CharField(
        label="Brief",
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=True,
        help_text="What happens, in a few sentences: each becomes a shot (3 to 8).",
        error_messages={"required": "Write the brief: the shot list is built from it."},
    )
    aspect = forms.ChoiceField(label="Aspect", choices=ASPECT_CHOICES, initial="16:9")
    model_id = forms.ChoiceField(label="Video model")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_id"].choices = _model_choices(team)
        self.fields["model_id"].initial = default_model_id(team)
        _unlimited(self)

    def clean_brief(self):
        brief = self.cleaned_data["brief"]
        if len(brief) > BRIEF_MAX:
            raise forms.ValidationError(f"Keep the brief to {BRIEF_MAX} characters (this has {len(brief)}).")
        return brief


def shot_prefix(shot):
    return f"shot-{shot.pk}"


def shot_field_id(shot, name):
    """The id of a shot's field on the page: after a shot is added, the focus goes to its first field."""
    return f"id_{shot_prefix(shot)}-{name}"


class ShotForm(forms.Form):
    frame_prompt = forms.CharField(
        label="Frame",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        strip=True,
        help_text="The still that is generated first.",
    )
    motion_prompt = forms.CharField(
        label="Motion",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        strip=True,
        help_text="The camera move, e.g. “slow push in”.",
    )
    model_id = forms.ChoiceField(label="Video model")
    duration = forms.TypedChoiceField(label="Seconds", coerce=int, choices=[])
    mode = forms.ChoiceField(label="Mode", choices=[])
    aspect = forms.ChoiceField(label="Aspect", choices=[(a, a) for a in ASPECTS])
    influencer_id = forms.TypedChoiceField(label="Influencer", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, shot, team, **kwargs):
        from influencers.models import Influencer
        from studio.teams.scoping import scoped
        from studio.video.services import video_models_all

        kwargs.setdefault(
            "initial",
            {
                "frame_prompt": shot.frame_prompt,
                "motion_prompt": shot.motion_prompt,
                "model_id": shot.model_id,
                "duration": shot.duration,
                "mode": shot.mode,
                "aspect": shot.aspect,
                "influencer_id": shot.influencer_id,
            },
        )
        kwargs.setdefault("prefix", shot_prefix(shot))
        super().__init__(*args, **kwargs)
        choices = _model_choices(team)
        if shot.model_id not in dict(choices):
            choices.append((shot.model_id, shot.model_id))
        self.fields["model_id"].choices = choices
        models = video_models_all()
        durations = sorted({d for model_id, _ in choices if model_id in models for d in models[model_id].durations})
        modes = sorted({m for model_id, _ in choices if model_id in models for m in models[model_id].modes})
        self.fields["duration"].choices = [(d, f"{d} s") for d in durations]
        self.fields["mode"].choices = [(m, {"std": "Standard", "pro": "Pro"}.get(m, m)) for m in modes]
        influencers = scoped(Influencer, team).filter(current_version__isnull=False).order_by("name")
        self.fields["influencer_id"].choices = [("", "None")] + [(i.pk, i.name) for i in influencers]
        _unlimited(self)
