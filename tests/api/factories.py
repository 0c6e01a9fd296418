"""Factories for API tokens; `issue_token` goes through the service, which is the only way to learn a secret."""

import factory

from studio.api.models import ApiToken, hash_secret, new_secret
from studio.api.services import api_token_create
from tests.factories import TeamFactory


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row whose secret nobody knows: for lists and revocation, not for calling the API."""

    class Meta:
        model = ApiToken

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Integration {n}")
    prefix = "pf_live_unkno"
    secret_hash = factory.LazyFunction(lambda: hash_secret(new_secret()))


def issue_token(team, user=None, name="Test token"):
    """A token issued the way the page issues one; returns (token, secret)."""
    issued = api_token_create(team=team, user=user, name=name)
    return issued.token, issued.secret


def api_client(team, user=None):
    """A Django test client that sends a fresh token of `team` (acting as `user`) on every request."""
    from django.test import Client

    _, secret = issue_token(team, user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def generation_job(team, **fields):
    """A generation row as the pipeline leaves it; defaults to a queued draft-engine job."""
    from studio.generation.models import GenerationJob

    values = {
        "model_id": "local:draft",
        "prompt": "A lighthouse at dusk",
        "params": {"size": "1024x1024", "quality": "low", "n": 1, "output_format": "png", "partial_images": 0},
        "credits_estimated": 0,
    }
    values.update(fields)
    return GenerationJob.objects.create(team=team, **values)
