"""factory_boy factories for the platform's models; feature apps add theirs beside their tests."""

import factory
from django.contrib.auth import get_user_model

from studio.credits.models import Wallet
from studio.teams.models import Membership, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    allowed_models = factory.LazyFunction(lambda: ["local:draft"])
    active_model = "local:draft"
    wallet = factory.RelatedFactory("tests.factories.WalletFactory", factory_related_name="team")


class WalletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wallet

    balance = 0


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"
