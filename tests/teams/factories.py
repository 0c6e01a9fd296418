"""Factories for invitations, provider keys and audit entries."""

from datetime import timedelta

import factory
from django.utils import timezone

from studio.core.models import AuditEntry
from studio.teams import crypto
from studio.teams.models import Invitation, ProviderKey, hash_token
from tests.factories import TeamFactory, UserFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    """`InvitationFactory(token="...")` makes an invitation that link accepts; only the hash is stored."""

    class Meta:
        model = Invitation

    class Params:
        token = factory.Sequence(lambda n: f"invitation-token-{n}")

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = "member"
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ProviderKeyFactory(factory.django.DjangoModelFactory):
    """`ProviderKeyFactory(secret="sk-...")` stores that secret encrypted, as the service does."""

    class Meta:
        model = ProviderKey

    class Params:
        secret = "sk-test-factory-key-9z8y"

    team = factory.SubFactory(TeamFactory)
    provider = "openai"
    ciphertext = factory.LazyAttribute(lambda o: crypto.encrypt(o.secret))
    last_four = factory.LazyAttribute(lambda o: o.secret[-4:])
    updated_by = factory.SubFactory(UserFactory)


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    team = factory.SubFactory(TeamFactory)
    actor = factory.SubFactory(UserFactory)
    action = "team.renamed"
    summary = factory.Sequence(lambda n: f"entry {n}")
