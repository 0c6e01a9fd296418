"""Template context for the app shell's credits pill: the current team's balance."""

from studio.credits.models import Wallet
from studio.credits.selectors import wallet_for

# Methods that move no credits: the balance loaded with the membership at the start of the request still holds.
READ_METHODS = {"GET", "HEAD"}


def credits_balance(request):
    team = getattr(request, "team", None)
    if team is None:
        return {}

    # A callable: a template that does not show the balance does not pay for it.
    def balance():
        if request.method in READ_METHODS:
            try:
                return team.wallet.balance
            except Wallet.DoesNotExist:
                pass
        return wallet_for(team).balance

    return {"credits_balance": balance}
