from datetime import timedelta

import pytest
from django.utils import timezone

from studio.api.models import ApiToken
from studio.api.selectors import active_token_for_secret
from studio.api.services import ApiTokenError, api_token_create, api_token_revoke, api_token_touch

pytestmark = pytest.mark.django_db


def test_it_stores_only_a_prefix_and_the_hash_of_the_secret(team, admin_user):
    issued = api_token_create(team=team, user=admin_user, name="Zapier")
    row = ApiToken.objects.filter(pk=issued.token.pk).values().get()
    assert issued.secret not in {str(v) for v in row.values()}
    assert issued.secret.startswith(row["prefix"]) and len(row["prefix"]) < 20


def test_each_token_has_its_own_secret(team, admin_user):
    first = api_token_create(team=team, user=admin_user, name="A")
    second = api_token_create(team=team, user=admin_user, name="B")
    assert first.secret != second.secret


def test_it_refuses_a_nameless_token(team, admin_user):
    with pytest.raises(ApiTokenError, match="Give the token a name"):
        api_token_create(team=team, user=admin_user, name="  ")
    assert not ApiToken.objects.exists()


def test_a_revoked_token_no_longer_finds_its_team(team, admin_user):
    issued = api_token_create(team=team, user=admin_user, name="Zapier")
    assert active_token_for_secret(issued.secret) == issued.token
    api_token_revoke(token=issued.token, user=admin_user)
    assert active_token_for_secret(issued.secret) is None


def test_it_marks_the_last_use_at_most_once_a_minute(team, admin_user, django_assert_num_queries):
    token = api_token_create(team=team, user=admin_user, name="Zapier").token
    api_token_touch(token=token)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(0):
        api_token_touch(token=token)
    token.last_used_at = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    api_token_touch(token=token)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
