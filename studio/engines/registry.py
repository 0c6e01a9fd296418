"""Finds the engine for a model id, and builds refinement requests the way each engine needs them.

Engines are plug-ins behind one protocol (types.Engine): `run(request, *, api_key=None)` yields zero to
three PartialFrame and then one Final, or raises EngineError. The capability row's "engine" key picks the
class, so a new model on an existing engine is configuration only.
"""

from django.utils.module_loading import import_string

from studio.engines.capabilities import capabilities
from studio.engines.types import ImageRequest, ReferenceImage

ENGINES = {
    "local": "studio.engines.local.LocalDraftEngine",
    "openai": "studio.engines.openai.OpenAIEngine",
}


def engine_for(model_id):
    """A ready engine for the model; KeyError for a model or engine the table does not know."""
    engine = capabilities(model_id).engine
    try:
        return import_string(ENGINES[engine])()
    except KeyError:
        raise KeyError(f"No engine {engine!r} for image model {model_id!r}") from None


def refinement_request(*, model_id, prompt, parent_image, response_id=None, **params):
    """The ImageRequest that refines a result with a follow-up prompt ("make the sky pink").

    OpenAI with a response id continues that response (previous_response_id), so the parent image is not
    sent again; without one, the parent goes along as an input image. The draft engine has no memory on a
    server, so it always gets the parent as its first reference ("parent plus edit"). Either way the
    result is one image that can itself be refined.
    """
    engine = capabilities(model_id).engine
    params.setdefault("n", 1)
    parent = (ReferenceImage(data=parent_image, role="parent", name="Image being refined"),)
    if engine == "openai" and response_id:
        return ImageRequest(
            model_id=model_id, prompt=prompt, previous_response_id=response_id, refinable=True, **params
        )
    return ImageRequest(
        model_id=model_id,
        prompt=prompt,
        references=parent,
        previous_response_id=response_id,
        refinable=True,
        **params,
    )
