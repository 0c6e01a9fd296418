"""Forms of the scheduling pages: the composer (fields per connected channel), moving a post, returning it with a
comment, the calendar's filters and the team's schedule settings."""

import datetime
import zoneinfo

from django import forms

from scheduling import selectors
from scheduling.models import Post
from scheduling.services import PostInput

WHEN_CHOICES = [("time", "At a time"), ("slot", "Next free queue slot"), ("later", "Decide later (draft)")]


def _ids(values):
    ids = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part:
                if not part.isdigit():
                    raise forms.ValidationError("Pick assets from the library.")
                ids.append(int(part))
    return ids


class ComposerForm(forms.Form):
    caption = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5, "data-counter": "caption"}), max_length=20_000
    )
    hashtags = forms.CharField(
        required=False,
        max_length=1_000,
        widget=forms.TextInput(attrs={"placeholder": "#spring #coffee", "data-counter": "hashtags"}),
        help_text="Added after the caption. A channel with a caption of its own gets exactly that caption.",
    )
    first_comment = forms.CharField(
        label="First comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5_000,
        help_text="Posted under the post on Instagram, LinkedIn and X once it is live (X as a reply), and sent "
        "with it to webhook channels and bundles. TikTok has no API for comments.",
    )
    source = forms.ChoiceField(
        choices=[("assets", "Library assets"), ("carousel", "Slides carousel"), ("sequence", "Video sequence")],
        initial="assets",
        widget=forms.RadioSelect,
    )
    carousel = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Carousel")
    sequence = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Video sequence")
    when = forms.ChoiceField(choices=WHEN_CHOICES, initial="time", widget=forms.RadioSelect, label="When")
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.channels = list(selectors.channels_for(team))
        self.fields["carousel"].choices = [("", "Pick a carousel")] + [
            (c.pk, c.topic[:80]) for c in selectors.carousels_for(team)
        ]
        self.fields["sequence"].choices = [("", "Pick a sequence")] + [
            (s.pk, s.title[:80]) for s in selectors.sequences_for(team)
        ]
        for channel in self.channels:
            self.fields[f"channel_{channel.pk}"] = forms.BooleanField(required=False, label=str(channel))
            self.fields[f"variant_{channel.pk}"] = forms.CharField(
                required=False,
                max_length=20_000,
                label=f"Caption for {channel.get_platform_display()}",
                widget=forms.Textarea(attrs={"rows": 2, "data-counter": f"variant-{channel.pk}"}),
            )
            if channel.platform == "tiktok":
                self.fields[f"privacy_{channel.pk}"] = forms.ChoiceField(
                    required=False,
                    label="Who can see it",
                    choices=[("", "Choose…")]
                    + [(v, selectors.privacy_label(v)) for v in selectors.privacy_levels(channel)],
                )

    def rows(self):
        """Per channel: the channel, its tick box, its variant and its options, for the template."""
        return [
            {
                "channel": channel,
                "tick": self[f"channel_{channel.pk}"],
                "variant": self[f"variant_{channel.pk}"],
                "privacy": self[f"privacy_{channel.pk}"] if f"privacy_{channel.pk}" in self.fields else None,
                "rules": _rules(channel.platform),
                "preview": selectors.PREVIEW.get(channel.platform, {}),
                "error_key": f"channel-{channel.pk}",
            }
            for channel in self.channels
        ]

    def clean(self):
        data = super().clean()
        try:
            data["asset_ids"] = _ids(self.data.getlist("assets") if hasattr(self.data, "getlist") else [])
        except forms.ValidationError as error:
            self.add_error(None, error)
        if data.get("when") == "time" and not (data.get("date") and data.get("time")):
            self.add_error("date", "Pick a date and a time, or take the next free slot.")
        if data.get("source") == "carousel" and not data.get("carousel"):
            self.add_error("carousel", "Pick a carousel.")
        if data.get("source") == "sequence" and not data.get("sequence"):
            self.add_error("sequence", "Pick a video sequence.")
        return data

    def post_input(self):
        data = self.cleaned_data
        publish_at = None
        if data.get("when") == "time" and data.get("date") and data.get("time"):
            publish_at = selectors.aware(self.team, data["date"], data["time"])
        chosen = [c for c in self.channels if data.get(f"channel_{c.pk}")]
        source = data.get("source") or "assets"
        asset_ids = data.get("asset_ids", []) if source == "assets" else []
        alt_texts = {}
        for asset_id in asset_ids:
            alt_texts[asset_id] = (self.data.get(f"alt_{asset_id}") or "")[:2_000]
        return PostInput(
            caption=data.get("caption", ""),
            hashtags=data.get("hashtags", ""),
            first_comment=data.get("first_comment", ""),
            asset_ids=asset_ids,
            alt_texts=alt_texts,
            carousel_id=data.get("carousel") if source == "carousel" else None,
            sequence_id=data.get("sequence") if source == "sequence" else None,
            channel_ids=[c.pk for c in chosen],
            variants={c.pk: data.get(f"variant_{c.pk}", "") for c in chosen},
            options={
                c.pk: {"privacy_level": data.get(f"privacy_{c.pk}") or ""} for c in chosen if c.platform == "tiktok"
            },
            publish_at=publish_at,
            next_free_slot=data.get("when") == "slot",
        )

    @classmethod
    def for_post(cls, post, *, team):
        """A form filled with a saved post, for editing it."""
        initial = {
            "caption": post.caption,
            "hashtags": post.hashtags,
            "first_comment": post.first_comment,
            "source": "carousel" if post.carousel_id else "assets",
            "carousel": post.carousel_id,
            "when": "time" if post.publish_at else "later",
        }
        if post.publish_at:
            moment = selectors.local(team, post.publish_at)
            initial.update(date=moment.date(), time=moment.time().replace(second=0, microsecond=0))
        for target in post.targets.all():
            initial[f"channel_{target.channel_id}"] = True
            initial[f"variant_{target.channel_id}"] = target.text
            if target.options.get("privacy_level"):
                initial[f"privacy_{target.channel_id}"] = target.options["privacy_level"]
        return cls(initial=initial, team=team)


def _rules(platform):
    try:
        return selectors.platform_rules(platform)
    except (ImportError, KeyError, LookupError):
        return None


class MoveForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        if post.publish_at and not self.is_bound:
            moment = selectors.local(post.team, post.publish_at)
            self.initial = {"date": moment.date(), "time": moment.time().replace(second=0, microsecond=0)}

    def publish_at(self):
        """The new moment; without a time the post keeps its time of day (a drop on a day in the month view)."""
        data = self.cleaned_data
        clock = data.get("time")
        if clock is None:
            clock = (
                selectors.local(self.post.team, self.post.publish_at).time()
                if self.post.publish_at
                else datetime.time(9, 0)
            )
        return selectors.aware(self.post.team, data["date"], clock)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What should change?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(choices=[("month", "Month"), ("week", "Week")], required=False)
    date = forms.DateField(required=False, widget=forms.HiddenInput)
    channel = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Channel")
    status = forms.ChoiceField(required=False, label="Status")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "All channels")] + [(c.pk, str(c)) for c in selectors.channels_for(team)]
        self.fields["status"].choices = [("", "All but cancelled")] + list(Post.Status.choices)


class SettingsForm(forms.Form):
    timezone = forms.ChoiceField(label="Time zone")
    queue_slots = forms.CharField(
        label="Queue slots",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Mon Wed Fri 09:30\nTue Thu 17:00"}),
        help_text="One line per time: days then HH:MM in the team's time zone (Mon … Sun, weekdays or daily).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(name, name) for name in sorted(zoneinfo.available_timezones())]
