"""Forms of the library: upload, the grid's filters, editing an asset, downloads, selections and boards."""

from django import forms

from library.models import Asset, Board, Tag
from library.services import EMPTY_BULK_TAGS, TAGS_TEXT_MAX_LENGTH, LibraryError, tag_names
from studio.core.forms import DateRangeMixin
from studio.teams.scoping import scoped

ACCEPT = "image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "id": "upload-files"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError("Choose one or more images to upload.")
        return files


class UploadForm(forms.Form):
    files = MultipleFileField(label="Images", help_text="PNG, JPEG or WebP, up to 50 MB each.")


class FilterForm(DateRangeMixin, forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Prompts, names, tags…", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(required=False, label="Kind", choices=[("", "Any kind"), *Asset.Kind.choices])
    source = forms.ChoiceField(required=False, label="Source", choices=[("", "Any source"), *Asset.Source.choices])
    model = forms.ChoiceField(required=False, label="Model")
    member = forms.TypedChoiceField(required=False, label="Made by", coerce=int, empty_value=None)
    board = forms.ModelChoiceField(
        queryset=Board.objects.none(), required=False, label="Board", empty_label="Any board"
    )
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.none(), required=False, label="Tag", empty_label="Any tag", to_field_name="name"
    )
    rating = forms.TypedChoiceField(
        required=False,
        label="Rating",
        coerce=int,
        empty_value=None,
        choices=[("", "Any rating"), *((n, "★" * n + " and up") for n in range(1, 6))],
    )
    influencer = forms.TypedChoiceField(required=False, label="Influencer", coerce=int, empty_value=None)
    influencer_version = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, label="Influencer version", widget=forms.NumberInput()
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, team, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "Any model"), *options["models"]]
        self.fields["member"].choices = [("", "Anyone"), *options["members"]]
        self.fields["influencer"].choices = [("", "Any influencer"), *options.get("influencers", [])]
        self.fields["board"].queryset = scoped(Board, team)
        self.fields["board"].choices = [("", "Any board"), *((b.pk, b.name) for b in options["boards"])]
        self.fields["tag"].queryset = scoped(Tag, team)
        self.fields["tag"].choices = [("", "Any tag"), *((t.name, t.name) for t in options["tags"])]
        for name in ("board", "tag", "model", "member", "influencer"):
            self.fields[name].error_messages["invalid_choice"] = "That choice is no longer available; pick another."
        for name, field in self.fields.items():
            if name != "q":
                field.widget.attrs["class"] = "lib-filter-input"  # a change here refreshes the results

    def filters(self):
        """The valid filters only: a bad field is reported next to itself and ignored, the rest still apply."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors and value}

    @property
    def active(self):
        return bool(self.filters())


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200, label="Title", error_messages={"required": "Give the asset a title."})


def tags_field(**kwargs):
    """The text box tags are typed in, the same for one asset and for a selection."""
    too_long = f"That is too much text for tags; keep it under {TAGS_TEXT_MAX_LENGTH} characters."
    return forms.CharField(
        required=False, max_length=TAGS_TEXT_MAX_LENGTH, error_messages={"max_length": too_long}, **kwargs
    )


def tags_cleaned(text):
    """The library's one tag validation (services.tag_names), its refusal shown next to the field."""
    try:
        return tag_names(text)
    except LibraryError as error:
        raise forms.ValidationError(str(error)) from None


class TagsForm(forms.Form):
    tags = tags_field(label="Edit tags", help_text="Separate tags with commas, e.g. summer launch, hero, approved.")

    def clean_tags(self):
        return tags_cleaned(self.cleaned_data["tags"])


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Rating",
        coerce=int,
        choices=[(n, f"{n} star{'s' if n != 1 else ''}" if n else "No rating") for n in range(6)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose 0 to 5 stars.", "invalid_choice": "Choose 0 to 5 stars."},
    )


class DownloadForm(forms.Form):
    format = forms.ChoiceField(
        label="Format",
        choices=[("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WebP")],
    )
    long_edge = forms.IntegerField(
        required=False,
        min_value=16,
        label="Long edge (px)",
        help_text="Leave empty for the original size.",
        widget=forms.NumberInput(attrs={"list": "download-sizes", "placeholder": "Original"}),
    )

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.asset = asset
        field = self.fields["format"]
        if asset.is_video:
            # A video downloads as itself; its poster frame is no stand-in for it.
            field.choices = [(asset.format, asset.format.upper())]
        elif asset.format not in dict(field.choices):
            # The original, kept as it is (an animated GIF, an SVG); the others are rasters of it.
            field.choices = [*field.choices, (asset.format, f"{asset.format.upper()} (original)")]
        field.initial = asset.format if asset.format in ("png", "jpeg", "webp") or asset.is_video else "png"
        self.longest = max(asset.width or 0, asset.height or 0)

    def clean_long_edge(self):
        edge = self.cleaned_data.get("long_edge")
        if edge and self.asset.is_video:
            raise forms.ValidationError("A video downloads at its own size; leave this empty.")
        if edge and self.longest and edge > self.longest:
            raise forms.ValidationError(
                f"This image is {self.longest} px on its long edge; choose {self.longest} or less, "
                "or leave it empty for the original size."
            )
        return edge if edge and edge != self.longest else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("long_edge") and cleaned.get("format") not in ("png", "jpeg", "webp"):
            self.add_error(
                "long_edge", "The original downloads at its own size; choose PNG, JPEG or WebP for another size."
            )
        return cleaned


class SelectionForm(forms.Form):
    """A selection in the grid: checked assets of the current team, and what to do with them."""

    asset = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(),
        error_messages={
            "required": "Select at least one asset first.",
            "invalid_choice": "Some selected assets are no longer in the library. Reload the page and try again.",
            "invalid_pk_value": "Some selected assets are no longer in the library. Reload the page and try again.",
        },
    )
    action = forms.ChoiceField(required=False, choices=[("board", "Add to board"), ("tag", "Tag")])
    board = forms.ModelChoiceField(
        queryset=Board.objects.none(),
        required=False,
        label="Board",
        empty_label="Choose a board…",
        error_messages={"invalid_choice": "That board is no longer there; pick another."},
    )
    tags = tags_field(label="Tags")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = scoped(Asset, team).defer("provenance", "search_text", "search_vector")
        self.fields["board"].queryset = scoped(Board, team).order_by("name", "id")

    def clean_tags(self):
        """Checked as on an asset's page, but only when tagging is what was asked for."""
        if self.cleaned_data.get("action") != "tag":
            return []
        tags = tags_cleaned(self.cleaned_data["tags"])
        if not tags:
            raise forms.ValidationError(EMPTY_BULK_TAGS)
        return tags

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "board" and not cleaned.get("board"):
            self.add_error("board", "Choose the board to add the selection to.")
        return cleaned


class BoardForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Board name",
        error_messages={"required": "Give the board a name."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Summer launch", "autocomplete": "off"}),
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class ReorderForm(forms.Form):
    order = forms.CharField(max_length=100_000)

    def clean_order(self):
        parts = [part.strip() for part in self.cleaned_data["order"].split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError("The new order could not be read; reload the page and try again.")
        return [int(part) for part in parts]
