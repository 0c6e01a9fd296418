"""Template filters of the credits pages: model labels and credit amounts in words."""

from django import template

from studio.credits.pricing import model_label as label_of

register = template.Library()


@register.filter
def model_label(model_id):
    return label_of(model_id) if model_id else "—"


@register.filter
def credits(value):
    """A price cell: "Free", "6 credits", or "Not priced" when no rule covers it."""
    if value is None:
        return "Not priced"
    if value == 0:
        return "Free"
    return f"{value} credit" if value == 1 else f"{value} credits"
