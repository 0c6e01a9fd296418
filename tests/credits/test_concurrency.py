"""Concurrent reservations against the real PostgreSQL: the wallet never overdraws and a key reserves once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import Sum

from studio.credits.models import Hold, LedgerEntry, Wallet
from studio.credits.services import CreditsError, InsufficientCredits, credits_capture, credits_grant, credits_reserve
from tests.factories import TeamFactory

# serialized_rollback puts back the seeded price rules the flush after each test removes, for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _pool_size(wanted=32):
    """Stay well below PostgreSQL's max_connections, leaving room for the other suites on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        in_use = cursor.fetchone()[0]
    return max(4, min(wanted, limit - in_use - 20))


def _run_concurrently(calls):
    """Run each call in a thread pool; every worker waits at a barrier so the first wave really collides."""
    workers = min(_pool_size(), len(calls))
    barrier = threading.Barrier(workers)
    seen = set()
    lock = threading.Lock()

    def run(call):
        try:
            with lock:
                first = threading.get_ident() not in seen
                seen.add(threading.get_ident())
            if first:
                barrier.wait(timeout=30)
            return ("ok", call())
        except InsufficientCredits as exc:
            return ("short", exc)
        except CreditsError as exc:
            return ("refused", exc)
        except Exception as exc:  # any other failure is a bug; the assertions below report it
            return ("error", exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls))


def _ledger_sum(wallet, kind):
    return LedgerEntry.objects.filter(wallet=wallet, kind=kind).aggregate(total=Sum("amount"))["total"] or 0


def test_200_concurrent_reservations_accept_exactly_what_the_wallet_holds():
    team = TeamFactory()
    credits_grant(team=team, amount=100, idempotency_key="top-up")

    calls = [lambda i=i: credits_reserve(team=team, amount=1, idempotency_key=f"job-{i}") for i in range(200)]
    outcomes = _run_concurrently(calls)

    errors = [value for kind, value in outcomes if kind == "error"]
    assert errors == []
    assert sum(1 for kind, _ in outcomes if kind == "ok") == 100
    assert sum(1 for kind, _ in outcomes if kind == "short") == 100
    wallet = Wallet.objects.get(team=team)
    assert (wallet.balance, wallet.held) == (0, 100)
    held_outstanding = sum(hold.outstanding for hold in Hold.objects.filter(wallet=wallet))
    granted, captured = _ledger_sum(wallet, "grant"), _ledger_sum(wallet, "capture")
    assert granted - captured - held_outstanding == wallet.balance
    assert _ledger_sum(wallet, "hold") == 100
    assert Hold.objects.filter(wallet=wallet).count() == 100


def test_50_concurrent_retries_of_one_key_reserve_exactly_once():
    team = TeamFactory()
    credits_grant(team=team, amount=100, idempotency_key="top-up")

    calls = [lambda: credits_reserve(team=team, amount=7, idempotency_key="job-42") for _ in range(50)]
    outcomes = _run_concurrently(calls)

    assert [value for kind, value in outcomes if kind != "ok"] == []
    assert {hold.pk for _, hold in outcomes} == {Hold.objects.get(key="job-42").pk}
    wallet = Wallet.objects.get(team=team)
    assert (wallet.balance, wallet.held) == (93, 7)
    assert LedgerEntry.objects.filter(wallet=wallet, kind="hold").count() == 1


def test_30_concurrent_captures_never_spend_more_than_the_hold():
    team = TeamFactory()
    credits_grant(team=team, amount=50, idempotency_key="top-up")
    hold = credits_reserve(team=team, amount=10, idempotency_key="job-1")

    calls = [lambda i=i: credits_capture(hold=hold, amount=1, idempotency_key=f"job-1-capture-{i}") for i in range(30)]
    outcomes = _run_concurrently(calls)

    assert sum(1 for kind, _ in outcomes if kind == "ok") == 10
    assert sum(1 for kind, _ in outcomes if kind == "refused") == 20
    hold.refresh_from_db()
    wallet = Wallet.objects.get(team=team)
    assert (hold.captured, wallet.balance, wallet.held) == (10, 40, 0)
    assert _ledger_sum(wallet, "capture") == 10
