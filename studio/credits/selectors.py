"""Reads about credits: wallets, ledgers, prices."""

from studio.credits.models import Wallet


def wallet_for(team):
    wallet, _ = Wallet.objects.get_or_create(team=team)
    return wallet
