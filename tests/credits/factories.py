"""factory_boy factories and helpers for credits: price rules, and spending that happened on a given day."""

import itertools
from datetime import timedelta

import factory
from django.utils import timezone

from studio.credits.models import LedgerEntry, PriceRule
from studio.credits.services import credits_capture, credits_grant, credits_release_rest, credits_reserve

_keys = itertools.count()


class PriceRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceRule
        django_get_or_create = ("model_id", "tier", "quality")

    model_id = "openai:gpt-image-2"
    tier = "1K"
    quality = "*"
    credits = 6


def grant(team, amount, **kwargs):
    return credits_grant(team=team, amount=amount, idempotency_key=f"grant-{next(_keys)}", **kwargs)


def spend(team, amount, *, model_id="openai:gpt-image-2", user=None, days_ago=0, reserve=None):
    """A finished job through the real services: grant, reserve, capture `amount`, release the rest, backdated."""
    n = next(_keys)
    reserve = reserve or amount
    grant(team, reserve)
    hold = credits_reserve(team=team, amount=reserve, idempotency_key=f"job-{n}", model_id=model_id, user=user)
    credits_capture(hold=hold, amount=amount, idempotency_key=f"job-{n}-capture")
    credits_release_rest(hold=hold, idempotency_key=f"job-{n}-release")
    if days_ago:
        when = timezone.now() - timedelta(days=days_ago)
        LedgerEntry.objects.filter(hold=hold).update(created_at=when)
    return hold
