"""Every URL that takes an object's id answers 404 to another team, and changes nothing of the team that owns it.

The test finds the URLs by itself: it walks django.urls.get_resolver() through every include and picks each route
with kwargs. For every kwarg name it needs a recipe in RECIPES below.

Adding a URL with an id (say `library/assets/<int:asset_id>/`)? Add one line to RECIPES, keyed by the kwarg name:
a function that takes a team, makes one object of that team (use your app's factories, imported inside the
function) and returns the value the URL expects, usually its pk. If the URL is not session-authenticated, add how
the attacker authenticates to ATTACKER_LOGIN, keyed by the URL's namespace. A URL whose kwarg is not a team
object (a bearer token, an operator-only page) goes in EXCLUDED_URL_NAMES or BEARER_TOKEN_URLS with a reason.

For each URL, the owner of ANOTHER team sends GET and POST with the victim's ids: both must answer 404, and a
snapshot of the victim's rows across the project's own models (counts and a digest of every value) must not change.
So a view that allows only one method looks the object up in the team scope first and refuses the method after.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from studio.teams.models import Team
from studio.teams.scoping import scoped
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _invitation_token(team):
    from tests.teams.factories import InvitationFactory

    InvitationFactory(team=team, token="cross-team-invitation-token")
    return "cross-team-invitation-token"


def _member_id(team):
    return MembershipFactory(team=team, role="member").pk


def _invitation_id(team):
    from tests.teams.factories import InvitationFactory

    return InvitationFactory(team=team).pk


def _asset_id(team):
    from tests.library.factories import AssetFactory

    return AssetFactory(team=team).pk


def _board_id(team):
    from tests.library.factories import BoardFactory

    return BoardFactory(team=team).pk


def _api_token_id(team):
    from tests.api.factories import issue_token

    return issue_token(team)[0].pk


def _job_uuid(team):
    from tests.api.factories import generation_job

    return generation_job(team).uuid


def _generation_id(team):
    from tests.api.factories import generation_job

    return str(generation_job(team).uuid)


def _credit_request_id(team):
    from studio.credits.models import CreditRequest

    return CreditRequest.objects.create(team=team, requested_by=MembershipFactory(team=team).user, amount=20).pk


def _influencer_id(team):
    from tests.influencers.factories import influencer_row

    return influencer_row(team).pk


def _series_id(team):
    from tests.influencers.factories import series_row

    return series_row(team).pk


def _scene_id(team):
    from tests.influencers.factories import series_row

    return series_row(team).scenes.get().pk


def _reference_id(team):
    from tests.influencers.factories import influencer_row

    return influencer_row(team).current_version.references.get().pk


def _carousel_id(team):
    from tests.slides.factories import carousel_row

    return carousel_row(team).pk


def _slide_id(team):
    from tests.slides.factories import carousel_row

    return carousel_row(team).slides.get().pk


def _channel_id(team):
    from scheduling.models import Channel

    return Channel.objects.create(team=team, platform="webhook", name="Victim hook", account_id="victim-hook").pk


def _target_id(team):
    from scheduling.models import Channel, Post, PostTarget

    channel = Channel.objects.create(team=team, platform="bundle", name="Victim bundle", account_id="victim-bundle")
    post = Post.objects.create(team=team, caption="Victim post", status="done")
    return PostTarget.objects.create(post=post, channel=channel, external_id=f"victim-{post.pk}", status="published").pk


def _sequence_id(team):
    from tests.video.factories import sequence_row

    return sequence_row(team).pk


def _shot_id(team):
    from tests.video.factories import sequence_row

    return sequence_row(team).shots.get().pk


def _post_id(team):
    from tests.scheduling.posting import draft

    return draft(team, MembershipFactory(team=team, role="member").user).pk


def _font_id(team):
    from tests.slides.factories import brand_font_row

    return brand_font_row(team).pk


# kwarg name -> function(team) that makes one object of `team` and returns the kwarg's value.
RECIPES = {
    "member_id": _member_id,
    "invitation_id": _invitation_id,
    "token": _invitation_token,
    "asset_id": _asset_id,
    "variant": lambda team: "thumb",  # which file of the asset; the asset_id recipe makes the team's object
    "board_id": _board_id,
    "api_token_id": _api_token_id,
    "job_uuid": _job_uuid,
    "generation_id": _generation_id,
    "influencer_id": _influencer_id,
    "series_id": _series_id,
    "scene_id": _scene_id,
    "reference_id": _reference_id,
    "request_id": _credit_request_id,
    "carousel_id": _carousel_id,
    "slide_id": _slide_id,
    "kind": lambda team: "pdf",  # which export of the carousel; the carousel_id recipe makes the team's object
    "channel_id": _channel_id,
    "target_id": _target_id,
    "sequence_id": _sequence_id,
    "shot_id": _shot_id,
    "post_id": _post_id,
    "font_id": _font_id,
}


def _api_bearer(client, team, user):
    from tests.api.factories import issue_token

    _, secret = issue_token(team, user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# URL namespace -> function(client, attacker_team, attacker_user) returning extra request headers, for URLs that
# do not authenticate through the session. Everything else is visited by the attacker logged in.
ATTACKER_LOGIN = {
    "api": _api_bearer,
}

# Not team data, so not this test's business (each line says why).
EXCLUDED_NAMESPACES = {
    "admin",  # Django admin: staff-only operator pages, guarded by is_staff, not by team.
}
EXCLUDED_URL_NAMES = {
    "account_confirm_email",  # allauth: the key is an email-confirmation secret, not a team object.
    "account_reset_password_from_key",  # allauth: a password-reset secret, not a team object.
    # A signed public media link for the platforms: the signature is the permission, not a team login;
    # tests/scheduling/test_media_links.py covers forged (403), expired (410) and deleted (410) links.
    "scheduling_media",
    # A video provider's callback: the per-shot random token is the permission (no login); it only queues a
    # confirming lookup. tests/video/test_pipeline_providers.py covers forged and replayed callbacks.
    "video_callback",
}

# The kwarg is a bearer token: holding it is what grants access, so the page answers whoever holds it. Another
# team's owner whose address is not the invited one gets this status, and still changes nothing.
BEARER_TOKEN_URLS = {
    "invitation_accept": 403,
}

# django-ninja refuses a method a route does not define before it authenticates or looks anything up, so a POST
# to a read-only API route answers 405. That reveals nothing as long as the attacker's OWN ids get the very
# same answer, which the test checks for these namespaces instead of accepting any 405.
METHOD_FIRST_NAMESPACES = {"api"}


@dataclass(frozen=True)
class UrlCase:
    name: str
    route: str
    namespace: str
    kwargs: tuple
    chain: tuple

    @property
    def label(self):
        return f"{self.namespace}:{self.name}" if self.namespace else (self.name or self.route)

    def build(self, values):
        """The path for `values`, built level by level from the route (or regex) of each include."""
        path = ""
        for pattern in self.chain:
            if isinstance(pattern, RoutePattern):
                path += re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), str(pattern))
            elif isinstance(pattern, RegexPattern):
                piece = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), pattern.regex.pattern)
                path += piece.lstrip("^").rstrip("$").replace("\\", "")
            else:
                raise AssertionError(f"{self.label}: cannot build a path from {type(pattern).__name__}")
        return "/" + path


def _kwarg_names(pattern):
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _walk(resolver, chain=(), namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk(entry, (*chain, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            full = (*chain, entry.pattern)
            kwargs = tuple(name for pattern in full for name in _kwarg_names(pattern))
            if kwargs:
                route = "".join(str(p) for p in full)
                yield UrlCase(entry.name or "", route, namespace, kwargs, full)


def _cases():
    cases = []
    for case in _walk(get_resolver()):
        if case.namespace.split(":")[0] in EXCLUDED_NAMESPACES or case.name in EXCLUDED_URL_NAMES:
            continue
        cases.append(case)
    return cases


CASES = _cases()


# The snapshot ---------------------------------------------------------------------------------------------------


def _project_models():
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts:
            yield from config.get_models()


def _plain(value):
    return bytes(value) if isinstance(value, memoryview) else value


def _snapshot(team):
    """Per model: how many of the team's rows there are and a digest of all their values."""
    shot = {}
    for model in _project_models():
        if model is Team:
            rows = Team.objects.filter(pk=team.pk)
        elif getattr(model, "TEAM_FIELD", None):
            rows = scoped(model, team)
        else:
            rows = model._default_manager.all()  # not team-owned: nothing about it may change either
        values = [tuple(_plain(v) for v in row) for row in rows.order_by("pk").values_list()]
        shot[model._meta.label] = (len(values), hashlib.sha256(repr(values).encode()).hexdigest())
    return shot


# The tests ------------------------------------------------------------------------------------------------------


def _missing_recipes(case):
    return [name for name in case.kwargs if name not in RECIPES]


def test_the_walk_finds_the_team_urls():
    names = {case.name for case in CASES}
    assert {"member_role", "member_remove", "invitation_revoke", "invitation_accept"} <= names


def test_every_url_kwarg_has_a_recipe():
    missing = {case.label: _missing_recipes(case) for case in CASES if _missing_recipes(case)}
    assert not missing, (
        "These URLs take kwargs with no recipe in RECIPES of tests/core/test_cross_team_404.py: "
        + "; ".join(f"{label} needs {', '.join(names)}" for label, names in missing.items())
        + ". Add a function(team) that makes an object of that team and returns the kwarg's value."
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_another_teams_id_answers_404_and_changes_nothing(case, client):
    if missing := _missing_recipes(case):
        pytest.fail(
            f"URL {case.label} ({case.route}) takes {', '.join(missing)} with no recipe in RECIPES of "
            "tests/core/test_cross_team_404.py. Add a function(team) that makes an object of that team and "
            "returns the value the URL expects."
        )
    victim = TeamFactory(name="Victim Studio")
    MembershipFactory(team=victim, role="owner")
    path = case.build({name: RECIPES[name](victim) for name in case.kwargs})

    attacker_team = TeamFactory(name="Attacker Studio")
    attacker = MembershipFactory(team=attacker_team, role="owner").user
    login = ATTACKER_LOGIN.get(case.namespace.split(":")[0])
    headers = login(client, attacker_team, attacker) if login else {}
    if login is None:
        client.force_login(attacker)

    expected = BEARER_TOKEN_URLS.get(case.name, 404)
    before = _snapshot(victim)
    for method in ("get", "post"):
        response = getattr(client, method)(path, **headers)
        if response.status_code == 405 and case.namespace.split(":")[0] in METHOD_FIRST_NAMESPACES:
            own_path = case.build({name: RECIPES[name](attacker_team) for name in case.kwargs})
            own = getattr(client, method)(own_path, **headers)
            assert own.status_code == 405, (
                f"{method.upper()} {path} ({case.label}) answered 405 to another team but {own.status_code} "
                "to the attacker's own object: the answer tells the two apart"
            )
            continue
        hint = (
            " (look the object up with get_scoped_or_404 before refusing the method, as studio/teams/views.py does)"
            if response.status_code == 405
            else ""
        )
        assert response.status_code == expected, (
            f"{method.upper()} {path} ({case.label}) as the owner of another team answered "
            f"{response.status_code}, not {expected}{hint}"
        )
    after = _snapshot(victim)
    changed = sorted(label for label in before if before[label] != after.get(label))
    assert not changed, f"{case.label}: another team's request changed the victim's rows in {', '.join(changed)}"
