"""Creates (once) a demo team with an owner login and some credits, and prints the login."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from studio.credits.services import credits_grant
from studio.teams.models import Membership, Team
from studio.teams.services import team_create

DEMO_EMAIL = "demo@postframe.local"
DEMO_PASSWORD = "postframe-demo"
DEMO_TEAM = "Demo Studio"
DEMO_CREDITS = 500


class Command(BaseCommand):
    help = "Create the demo team and its owner login (safe to run again) and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    @transaction.atomic
    def handle(self, *args, email, password, **options):
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(username=email, email=email, password=password)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        membership = Membership.objects.filter(user=user, team__name=DEMO_TEAM).select_related("team").first()
        team = membership.team if membership else team_create(owner=user, name=DEMO_TEAM)
        credits_grant(team=team, amount=DEMO_CREDITS, idempotency_key="seed-demo-grant", memo="Demo credits")
        team.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS("Demo login: ")
            + f"{email} / {password}  (team {team.name}, {Team.objects.get(pk=team.pk).wallet.balance} credits)"
        )
