"""Template filters of the credits pages (model labels, credit amounts in words) and the top bar's request badges."""

from django import template

from studio.engines.capabilities import model_label as label_of

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


@register.simple_tag(takes_context=True)
def credit_request_badges(context):
    """The top bar's flags: requests an admin should answer, answers a member has not seen."""
    from studio.credits.selectors import credit_request_badges as badges

    return badges(context.get("membership"))
