"""The capability table of image models, held as configuration (settings.POSTFRAME_IMAGE_MODELS).

Validation, the size picker, the cost preview and the UI all read it, so a new model is a row here or in
settings, not new code.
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

DEFAULT_IMAGE_MODELS = {
    "openai:gpt-image-2": {
        "label": "GPT Image 2",
        "provider": "openai",
        "engine": "openai",
        "api_model": "gpt-image-2",
        "sizes": GPT_IMAGE_2_SIZES,
        "max_references": 16,
        "mask": True,
        "transparent_background": False,
        "input_fidelity": "always-high",
        "max_prompt_chars": 32_000,
        "max_n": 10,
    },
    "openai:gpt-image-1.5": {
        "label": "GPT Image 1.5",
        "provider": "openai",
        "engine": "openai",
        "api_model": "gpt-image-1.5",
        "sizes": GPT_IMAGE_1_SIZES,
        "max_references": 16,
        "mask": True,
        "transparent_background": True,
        "input_fidelity": "low-high",
        "max_prompt_chars": 32_000,
        "max_n": 10,
    },
    "openai:gpt-image-1-mini": {
        "label": "GPT Image 1 Mini",
        "provider": "openai",
        "engine": "openai",
        "api_model": "gpt-image-1-mini",
        "sizes": GPT_IMAGE_1_SIZES,
        "max_references": 16,
        "mask": True,
        "transparent_background": True,
        "input_fidelity": "none",
        "max_prompt_chars": 32_000,
        "max_n": 10,
    },
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
    },
}

OFFLINE_MODEL_ID = "local:draft"


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
    extra: dict = field(default_factory=dict)

    @property
    def is_offline(self):
        return self.provider == "local"


def image_models():
    """Every configured model, keyed by id, in the order the table lists them."""
    table = getattr(settings, "POSTFRAME_IMAGE_MODELS", None) or DEFAULT_IMAGE_MODELS
    known = {f for f in ModelCapabilities.__dataclass_fields__ if f not in ("id", "extra")}
    return {
        model_id: ModelCapabilities(
            id=model_id,
            **{k: v for k, v in row.items() if k in known},
            extra={k: v for k, v in row.items() if k not in known},
        )
        for model_id, row in table.items()
    }


def capabilities(model_id):
    try:
        return image_models()[model_id]
    except KeyError:
        raise KeyError(f"Unknown image model {model_id!r}") from None


def model_choices():
    return [(m.id, m.label) for m in image_models().values()]
