"""Issues an API token for a team from the command line and prints the secret as the last line."""

from django.core.management.base import BaseCommand, CommandError

from studio.api.services import ApiTokenError, api_token_create
from studio.teams.models import Team


class Command(BaseCommand):
    help = "Create an API token for the team with this slug; the token itself is printed as the last line."

    def add_arguments(self, parser):
        parser.add_argument("team_slug", help="The team's slug, as in its URLs and the admin.")
        parser.add_argument("--name", default="Command-line token", help="What the token is for, shown in the UI.")

    def handle(self, *args, team_slug, name, **options):
        team = Team.objects.filter(slug=team_slug).first()
        if team is None:
            raise CommandError(f"No team has the slug {team_slug!r}.")
        try:
            issued = api_token_create(team=team, user=None, name=name)
        except ApiTokenError as refused:
            raise CommandError(str(refused))
        self.stdout.write(
            f"Created the API token {issued.token.name!r} for {team.name}. It is shown only now; "
            "store it as a secret (revoke it under Team → API tokens)."
        )
        self.stdout.write(issued.secret)
