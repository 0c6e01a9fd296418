"""A signed-in page costs the same few queries however many teams the user belongs to (the app shell's switcher)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _queries_for(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/help/", "/library/"])
def test_the_shell_costs_the_same_queries_for_one_team_or_many(client, member, path, settings):
    settings.POSTFRAME_LIBRARY_CACHE_SECONDS = 0
    client.force_login(member)
    _queries_for(client, path)  # the session's first use stores the current team
    one_team = _queries_for(client, path)
    for n in range(6):
        MembershipFactory(user=member, team=TeamFactory(name=f"Client {n}"), role="member")
    assert _queries_for(client, path) == one_team


def test_the_user_is_loaded_with_djangos_own_backend(client, member):
    client.force_login(member)
    client.get("/help/")
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
