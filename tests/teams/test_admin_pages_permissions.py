"""Viewers and members are refused every admin page of the team with a message saying why."""

import pytest

from studio.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    ("get", "/team/models/"),
    ("post", "/team/models/"),
    ("get", "/team/keys/"),
    ("post", "/team/keys/set/"),
    ("post", "/team/keys/remove/"),
    ("post", "/team/keys/test/"),
    ("get", "/team/audit/"),
    ("post", "/team/rename/"),
    ("post", "/team/invitations/"),
]
OWNER_PAGES = [
    ("get", "/team/transfer/"),
    ("post", "/team/transfer/"),
    ("get", "/team/delete/"),
    ("post", "/team/delete/"),
]


@pytest.mark.parametrize("role", ["viewer", "member"])
@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_viewers_and_members_get_403_on_admin_pages(client_for, make_member, role, method, url, team):
    before = AuditEntry.objects.count()
    response = getattr(client_for(make_member(role)), method)(url, {"provider": "openai", "name": "x"})
    assert response.status_code == 403
    assert f"Your role in {team.name} is {role.title()}; this needs Admin or above." in response.content.decode()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("method", "url"), OWNER_PAGES)
def test_admins_get_403_on_owner_pages(client_for, admin_user, method, url, team):
    response = getattr(client_for(admin_user), method)(url, {"confirm_name": team.name})
    assert response.status_code == 403
    assert "this needs Owner or above" in response.content.decode()


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get("/team/models/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
