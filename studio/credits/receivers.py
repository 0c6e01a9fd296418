"""Credits' part in a team's life, heard through studio.teams.signals: a wallet from the start, no delete mid-job."""

from django.conf import settings

from studio.credits.models import Wallet
from studio.credits.services import credits_grant, wallet_open
from studio.teams.scoping import scoped


def wallet_for_new_team(sender, *, team, owner, **kwargs):
    wallet_open(team=team)
    if settings.POSTFRAME_SIGNUP_CREDITS > 0:
        credits_grant(
            team=team,
            amount=settings.POSTFRAME_SIGNUP_CREDITS,
            idempotency_key=f"team-created-{team.pk}",
            user=owner,
            memo="Credits every new team starts with",
        )


def held_credits_refusal(sender, *, team, **kwargs):
    wallet = scoped(Wallet, team).first()
    if wallet is not None and wallet.held > 0:
        return f"{wallet.held} credits are held by running work. Wait for it to finish, then delete the team."
    return None


def credits_forfeited(sender, *, team, **kwargs):
    wallet = scoped(Wallet, team).first()
    return {"credits": wallet.balance if wallet else 0}
