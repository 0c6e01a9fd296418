"""`manage.py connect_channel TEAM PLATFORM`: connect a channel with an access token read from stdin or --token."""

import sys

from django.core.management.base import BaseCommand, CommandError

from scheduling.channels import ChannelError, channel_connect_token
from scheduling.models import Channel, Platform
from studio.teams.models import Team


class Command(BaseCommand):
    help = (
        "Connect (or reconnect) a team's channel as an admin pasting a token would: the token is checked against "
        "the platform's read endpoint. TEAM is the team's slug or id. The token comes from --token or stdin (so it "
        "stays out of the shell history); a webhook channel takes --webhook-url and --webhook-secret instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("team", help="the team's slug or id")
        parser.add_argument("platform", choices=Platform.values)
        parser.add_argument("--token", default=None, help="the access token (default: read from stdin)")
        parser.add_argument("--refresh-token", default="")
        parser.add_argument("--account-id", default="", help="the account id; required for a LinkedIn organisation")
        parser.add_argument("--organization", action="store_true", help="a LinkedIn organisation page")
        parser.add_argument("--name", default="", help="the name people see (default: the platform's)")
        parser.add_argument("--webhook-url", default="")
        parser.add_argument("--webhook-secret", default="", help="at least 16 characters (default: one is made)")

    def handle(self, *args, team, platform, token, **options):
        found = Team.objects.filter(slug=team).first()
        if found is None and team.isdigit():
            found = Team.objects.filter(pk=int(team)).first()
        if found is None:
            raise CommandError(f"No team with the slug or id {team!r}.")
        if platform in (Platform.WEBHOOK, Platform.BUNDLE):
            token = ""
        elif token is None:
            if sys.stdin.isatty():
                self.stderr.write(f"Paste the {Platform(platform).label} access token, then press Enter:")
            token = sys.stdin.readline()
        try:
            channel = channel_connect_token(
                team=found,
                user=None,
                platform=platform,
                access_token=token.strip(),
                refresh_token=options["refresh_token"],
                account_id=options["account_id"],
                name=options["name"],
                account_kind=Channel.AccountKind.ORGANIZATION
                if options["organization"]
                else Channel.AccountKind.PERSON,
                webhook_url=options["webhook_url"],
                webhook_secret=options["webhook_secret"],
            )
        except ChannelError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Connected {channel} (account {channel.account_id}) to {found.name}."))
