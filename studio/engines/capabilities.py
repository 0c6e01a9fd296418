"""The capability table of image models, held as configuration (settings.POSTFRAME_IMAGE_MODELS).

Validation, the size picker, the cost preview and the UI all read it, so a new model is a row here or in
settings, not new code. Each OpenAI row says what the `openai` SDK (3.57) documents for that model in
`types/image_generate_params.py`, `image_edit_params.py` and the Responses `image_generation` tool:

- sizes: "custom" WIDTHxHEIGHT for gpt-image-2 and the 2.5 line (and their snapshots); the standard three plus
  auto for the others.
- qualities: low / medium / high / auto everywhere; the 2.5 line adds xhigh and max.
- input_fidelity: "low-high" on gpt-image-1.5, "low" only on gpt-image-1-mini, "always-high" on gpt-image-2
  (the parameter must be omitted), "none" where the SDK documents no such setting.
- complexity ("thinking"): low / medium / high planning before rendering, on the GPT Image 2 generation and later.
- markup: a transparent PNG drawn over Image 1 to guide an edit, GPT Image 2.5 only, never with a mask.
- output formats: png / jpeg / webp everywhere; gif and svg on the 2.5 line. SVG needs n = 1 and no streaming;
  GIF has no streaming, partial images, masks or compression.

gpt-image-1 was shut down on 2026-10-23 (the DALL·E models on 2026-05-12): RETIRED_MODELS names each one's
documented successor, which a data migration moves teams to.
"""

from dataclasses import dataclass, field

from django.conf import settings

GPT_IMAGE_2_SIZES = {
    "mode": "custom",
    "multiple_of": 16,
    "max_edge": 3840,
    "max_ratio": 3.0,
    "min_pixels": 655_360,
    "max_pixels": 8_294_400,
    "experimental_above": [2560, 1440],
}
GPT_IMAGE_1_SIZES = {"mode": "fixed", "sizes": ["1024x1024", "1536x1024", "1024x1536"], "auto": True}

STANDARD_QUALITIES = ("low", "medium", "high", "auto")
EXTENDED_QUALITIES = ("low", "medium", "high", "xhigh", "max", "auto")
RASTER_FORMATS = ("png", "jpeg", "webp")
ALL_FORMATS = ("png", "jpeg", "webp", "gif", "svg")
COMPLEXITIES = ("low", "medium", "high")


def _openai(api_model, label, **row):
    return {
        "label": label,
        "provider": "openai",
        "engine": "openai",
        "api_model": api_model,
        "sizes": GPT_IMAGE_1_SIZES,
        "max_references": 16,
        "mask": True,
        "transparent_background": True,
        "input_fidelity": "none",
        "max_prompt_chars": 32_000,
        "max_n": 10,
        "qualities": STANDARD_QUALITIES,
        "output_formats": RASTER_FORMATS,
        "complexity": True,
        "markup": False,
        "streaming": True,
        **row,
    }


def _gpt_image_2(api_model, label):
    # Transparency is only "in preview" for gpt-image-2, so it is not offered.
    return _openai(
        api_model, label, sizes=GPT_IMAGE_2_SIZES, transparent_background=False, input_fidelity="always-high"
    )


def _gpt_image_25(api_model, label):
    return _openai(
        api_model,
        label,
        sizes=GPT_IMAGE_2_SIZES,
        qualities=EXTENDED_QUALITIES,
        output_formats=ALL_FORMATS,
        markup=True,
    )


DEFAULT_IMAGE_MODELS = {
    "openai:gpt-image-2": _gpt_image_2("gpt-image-2", "GPT Image 2"),
    "openai:gpt-image-2-2026-04-21": _gpt_image_2("gpt-image-2-2026-04-21", "GPT Image 2 (2026-04-21 snapshot)"),
    "openai:gpt-image-2.5-sunburst": _gpt_image_25("gpt-image-2.5-sunburst", "GPT Image 2.5 Sunburst"),
    "openai:gpt-image-2.5-sunburst-2026-09-08": _gpt_image_25(
        "gpt-image-2.5-sunburst-2026-09-08", "GPT Image 2.5 Sunburst (2026-09-08 snapshot)"
    ),
    "openai:gpt-image-2.5-flare": _gpt_image_25("gpt-image-2.5-flare", "GPT Image 2.5 Flare"),
    "openai:gpt-image-2.5-flare-2026-09-08": _gpt_image_25(
        "gpt-image-2.5-flare-2026-09-08", "GPT Image 2.5 Flare (2026-09-08 snapshot)"
    ),
    "openai:gpt-image-2.6-sunburst": _openai("gpt-image-2.6-sunburst", "GPT Image 2.6 Sunburst"),
    "openai:gpt-image-2.6-flare": _openai("gpt-image-2.6-flare", "GPT Image 2.6 Flare"),
    "openai:chatgpt-image-latest": _openai("chatgpt-image-latest", "ChatGPT Image (latest)"),
    "openai:gpt-image-1.5": _openai("gpt-image-1.5", "GPT Image 1.5", input_fidelity="low-high", complexity=False),
    "openai:gpt-image-1-mini": _openai("gpt-image-1-mini", "GPT Image 1 Mini", input_fidelity="low", complexity=False),
    "local:draft": {
        "label": "Offline draft engine",
        "provider": "local",
        "engine": "local",
        "api_model": "draft",
        "sizes": GPT_IMAGE_2_SIZES,
        "max_references": 16,
        "mask": True,
        "transparent_background": True,
        "input_fidelity": "n/a",
        "max_prompt_chars": 32_000,
        "max_n": 10,
        "qualities": EXTENDED_QUALITIES,
        "output_formats": RASTER_FORMATS,
        "complexity": True,
        "markup": True,
        "streaming": True,
    },
}

OFFLINE_MODEL_ID = "local:draft"

# Models OpenAI has shut down, each with the successor its SDK names; teams still set to one are moved.
RETIRED_MODELS = {
    "openai:gpt-image-1": {
        "successor": "openai:gpt-image-2.5-sunburst",
        "label": "GPT Image 1",
        "shut_down": "2026-10-23",
    },
    "openai:dall-e-3": {"successor": "openai:gpt-image-2.5-sunburst", "label": "DALL·E 3", "shut_down": "2026-05-12"},
    "openai:dall-e-2": {"successor": "openai:gpt-image-2.5-sunburst", "label": "DALL·E 2", "shut_down": "2026-05-12"},
}


@dataclass(frozen=True)
class ModelCapabilities:
    id: str
    label: str
    provider: str
    engine: str
    api_model: str
    sizes: dict
    max_references: int
    mask: bool
    transparent_background: bool
    input_fidelity: str
    max_prompt_chars: int
    max_n: int
    qualities: tuple = STANDARD_QUALITIES
    output_formats: tuple = RASTER_FORMATS
    complexity: bool = False
    markup: bool = False
    streaming: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def is_offline(self):
        return self.provider == "local"

    @property
    def fidelities(self):
        """The input_fidelity values the model takes (empty: the parameter must be left out)."""
        return {"low-high": ("low", "high"), "low": ("low",)}.get(self.input_fidelity, ())


def image_models():
    """Every configured model, keyed by id, in the order the table lists them."""
    table = getattr(settings, "POSTFRAME_IMAGE_MODELS", None) or DEFAULT_IMAGE_MODELS
    known = {f for f in ModelCapabilities.__dataclass_fields__ if f not in ("id", "extra")}
    models = {}
    for model_id, row in table.items():
        values = {k: v for k, v in row.items() if k in known}
        for name in ("qualities", "output_formats"):
            if name in values:
                values[name] = tuple(values[name])  # a row from JSON settings holds lists
        models[model_id] = ModelCapabilities(
            id=model_id, **values, extra={k: v for k, v in row.items() if k not in known}
        )
    return models


def capabilities(model_id):
    try:
        return image_models()[model_id]
    except KeyError:
        raise KeyError(f"Unknown image model {model_id!r}") from None


def model_choices():
    return [(m.id, m.label) for m in image_models().values()]


def model_label(model_id):
    """The name people know a model by ("GPT Image 2"); the id itself for one no longer configured."""
    model = image_models().get(model_id)
    if model:
        return model.label
    return RETIRED_MODELS[model_id]["label"] if model_id in RETIRED_MODELS else model_id


def successor_of(model_id):
    """The model a retired one's teams move to, or None when `model_id` was not retired."""
    retired = RETIRED_MODELS.get(model_id)
    return retired["successor"] if retired else None
