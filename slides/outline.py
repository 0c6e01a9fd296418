"""Outliners: turn a brief into a deck (hook, body slides, call to action), offline or with an OpenAI text model.

Both return the same plain list of slide dicts (layout, headline, body, background_prompt), checked by
`outline_clean` so a model's answer can never put more slides, an unknown layout or over-long text into a carousel.
"""

import json
from dataclasses import dataclass

import httpx
import openai
from django.conf import settings

from slides.models import Layout

OUTLINE_MODEL = getattr(settings, "SLIDES_OUTLINE_MODEL", "gpt-5-mini")
HEADLINE_MAX, BODY_MAX, PROMPT_MAX = 120, 400, 600
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
NO_TEXT = (
    "No text, no letters, no numbers, no logos, no watermarks. Leave the upper third calm and empty for a headline."
)


@dataclass(frozen=True)
class Brief:
    topic: str
    audience: str = ""
    goal: str = ""
    tone: str = ""
    slide_count: int = 10


class OutlineError(Exception):
    """The text model could not write an outline; the message says why in the user's words."""


def background_prompt(brief, motif):
    tone = f"{brief.tone} " if brief.tone else ""
    return (
        f"A {tone}editorial background image about {brief.topic}: {motif}. Soft light, one consistent style. {NO_TEXT}"
    )


# Body slides the offline outliner cycles through: (layout, headline, body, background motif).
_BODY = [
    (
        Layout.CAPTION,
        "Start with the why",
        "Decide what this should change for {audience} before you pick any tactic.",
        "an open notebook on a clean desk, morning light",
    ),
    (
        Layout.LIST,
        "Three moves that work",
        "Pick one clear goal\nShow it, don't tell it\nMeasure it every week",
        "three simple shapes in a row on a soft backdrop",
    ),
    (
        Layout.STATISTIC,
        "1",
        "goal per post. {goal_sentence}",
        "a single bright object centred on a wide calm background",
    ),
    (
        Layout.QUOTE,
        "Clear beats clever.",
        "A rule worth pinning above every draft about {topic}.",
        "a quiet abstract texture with soft shadows",
    ),
    (
        Layout.CAPTION,
        "Make it easy to say yes",
        "Cut every step between {audience} and the result they want.",
        "an uncluttered doorway opening onto light",
    ),
    (
        Layout.LIST,
        "Avoid these mistakes",
        "Talking about yourself first\nToo many messages at once\nNo clear next step",
        "crumpled paper balls beside a tidy stack of paper",
    ),
    (
        Layout.CAPTION,
        "Show the proof",
        "A before and after, a customer's words, a number you can stand behind.",
        "two matching objects side by side, one polished",
    ),
    (
        Layout.STATISTIC,
        "7 days",
        "to test one change, then keep what worked.",
        "a calendar-like grid of soft tiles",
    ),
]


def _sentence(text):
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def offline_outline(brief):
    """A sensible deck from the brief alone: a hook, body slides with varied layouts, and a call to action."""
    audience = brief.audience.strip() or "your audience"
    goal = brief.goal.strip()
    topic = brief.topic.strip()
    values = {"topic": topic, "audience": audience, "goal_sentence": _sentence(goal) or "Keep it to one."}
    ideas = brief.slide_count - 2
    hook_body = f"{ideas} idea{'s' if ideas != 1 else ''} for {audience}"
    hook_body += f" who want to {goal.rstrip('.')}" if goal else ""
    slides = [
        {
            "layout": Layout.TITLE,
            "headline": topic[:HEADLINE_MAX],
            "body": hook_body + ". Swipe →",
            "background_prompt": background_prompt(brief, "a bold, simple cover image with lots of open space"),
        }
    ]
    for index in range(brief.slide_count - 2):
        layout, headline, body, motif = _BODY[index % len(_BODY)]
        slides.append(
            {
                "layout": layout,
                "headline": headline,
                "body": body.format(**values),
                "background_prompt": background_prompt(brief, motif),
            }
        )
    slides.append(
        {
            "layout": Layout.CTA,
            "headline": "Save this for later",
            "body": f"Follow for more on {topic}" + (f". Goal: {goal.rstrip('.')}." if goal else "."),
            "background_prompt": background_prompt(brief, "a warm, inviting closing image with a clear centre"),
        }
    )
    return outline_clean(slides, brief.slide_count)


def outline_schema(count):
    """The strict JSON schema the text model must answer with: exactly `count` slides."""
    slide = {
        "type": "object",
        "additionalProperties": False,
        "required": ["layout", "headline", "body", "background_prompt"],
        "properties": {
            "layout": {"type": "string", "enum": list(Layout.values)},
            "headline": {"type": "string", "description": f"At most {HEADLINE_MAX} characters, no hashtags."},
            "body": {"type": "string", "description": f"At most {BODY_MAX} characters; list items one per line."},
            "background_prompt": {
                "type": "string",
                "description": "An image prompt for the background only: no text, space for a headline.",
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["slides"],
        "properties": {"slides": {"type": "array", "minItems": count, "maxItems": count, "items": slide}},
    }


INSTRUCTIONS = (
    "You write social media carousels. Answer with the outline only. The first slide is a hook (layout 'title'), "
    "the last a call to action (layout 'cta'); vary the layouts between them (caption, quote, list, statistic). "
    "Never invent statistics or quotes you cannot attribute: a statistic slide states a count or a time from the "
    "advice itself. Headlines are short; list bodies have one item per line. Background prompts describe an image "
    "with no text in it and a calm upper third for the headline, in one shared style across the deck."
)


def openai_outline(brief, *, api_key):
    """The outline from an OpenAI text model via the Responses API with a strict JSON schema."""
    from studio.engines.openai import engine_error

    client = openai.OpenAI(api_key=api_key, base_url=settings.OPENAI_BASE_URL or None, timeout=TIMEOUT, max_retries=1)
    user = (
        f"Topic: {brief.topic}\nAudience: {brief.audience or 'not given'}\nGoal: {brief.goal or 'not given'}\n"
        f"Tone: {brief.tone or 'clear and friendly'}\nSlides: exactly {brief.slide_count}"
    )
    try:
        response = client.responses.create(
            model=OUTLINE_MODEL,
            instructions=INSTRUCTIONS,
            input=user,
            text={
                "format": {
                    "type": "json_schema",
                    "name": "carousel_outline",
                    "strict": True,
                    "schema": outline_schema(brief.slide_count),
                }
            },
        )
    except openai.OpenAIError as error:
        raise OutlineError(str(engine_error(error))) from error
    finally:
        client.close()
    if getattr(response, "status", "completed") != "completed":
        raise OutlineError("OpenAI stopped before the outline was complete.")
    try:
        payload = json.loads(response.output_text)
        slides = payload["slides"]
    except (ValueError, KeyError, TypeError) as error:
        raise OutlineError("OpenAI's answer was not an outline.") from error
    return outline_clean(slides, brief.slide_count)


def outline_clean(slides, count):
    """Slides trimmed to their limits, with known layouts and exactly `count` of them; OutlineError otherwise."""
    if not isinstance(slides, list) or len(slides) != count:
        raise OutlineError(f"The outline had {len(slides) if isinstance(slides, list) else 0} slides, not {count}.")
    cleaned = []
    for slide in slides:
        if not isinstance(slide, dict) or slide.get("layout") not in Layout.values:
            raise OutlineError("The outline used a layout the studio does not have.")
        headline = str(slide.get("headline") or "").strip()
        if not headline:
            raise OutlineError("The outline had a slide without a headline.")
        cleaned.append(
            {
                "layout": slide["layout"],
                "headline": headline[:HEADLINE_MAX],
                "body": str(slide.get("body") or "").strip()[:BODY_MAX],
                "background_prompt": str(slide.get("background_prompt") or "").strip()[:PROMPT_MAX],
            }
        )
    return cleaned
