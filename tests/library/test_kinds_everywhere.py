"""Videos, GIFs and SVGs are assets like any other: the grid filters and finds them, boards and zips hold them, and
the JSON API lists them."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from library.models import STILLS, Asset
from library.services import Origin, asset_ingest, board_assets_add, board_create, video_ingest
from studio.teams.scoping import scoped
from tests.api.factories import issue_token
from tests.library import images, videos
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def kinds(team, member):
    def made(name, prompt):
        return Origin(source=Asset.Source.GENERATED, provenance={"prompt": prompt}, name=name)

    still = stored_asset(team, member, name="Harbor still")
    clip = video_ingest(
        team=team, user=member, data=videos.clip(seconds=2), filename="c.mp4", origin=made("Dusk pan", "A dusk pan")
    )
    gif = asset_ingest(
        team=team,
        user=member,
        data=images.animated_gif(),
        filename="g.gif",
        origin=made("Neon sign", "A blinking sign"),
    )
    vector = asset_ingest(
        team=team, user=member, data=images.svg(), filename="s.svg", origin=made("Flag icon", "A flat flag icon")
    )
    return still, clip, gif, vector


def names(response):
    return [asset.name for asset in response.context["page"].items]


def test_the_grid_lists_every_kind_and_filters_videos(client_for, member, kinds):
    client = client_for(member)

    assert names(client.get(reverse("library"))) == ["Flag icon", "Neon sign", "Dusk pan", "Harbor still"]
    assert names(client.get(reverse("library"), {"kind": "video"})) == ["Dusk pan"]


def test_search_finds_a_video_and_an_svg_by_their_prompts(client_for, member, kinds):
    client = client_for(member)

    assert names(client.get(reverse("library"), {"q": "dusk"})) == ["Dusk pan"]
    assert names(client.get(reverse("library"), {"q": "flag"})) == ["Flag icon"]


def test_a_board_holds_them_and_its_page_shows_their_tiles(client_for, member, team, kinds):
    board = board_create(team=team, user=member, name="Launch")
    board_assets_add(board=board, assets=list(kinds), user=member)

    page = client_for(member).get(reverse("library_board", args=[board.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    for asset in kinds:
        assert asset.name in html
    assert "asset-badge-video" in html and "0:02</span>" in html and ">SVG</span>" in html and ">GIF</span>" in html


def test_a_zip_of_the_selection_carries_each_original_under_its_own_extension(client_for, member, kinds):
    response = client_for(member).post(reverse("library_selection_download"), {"asset": [a.pk for a in kinds]})

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response)))
    assert sorted(archive.namelist()) == ["dusk-pan.mp4", "flag-icon.svg", "harbor-still.png", "neon-sign.gif"]
    assert archive.read("dusk-pan.mp4")[4:8] == b"ftyp"


def test_the_api_lists_them_with_their_kind_and_format(team, admin_user, kinds):
    _, secret = issue_token(team, admin_user)
    api = Client(headers={"Authorization": f"Bearer {secret}"})

    response = api.get("/api/v1/assets")

    assert response.status_code == 200, response.content
    shown = {item["name"]: (item["kind"], item["format"]) for item in response.json()["items"]}
    assert shown == {
        "Flag icon": ("image", "svg"),
        "Neon sign": ("image", "gif"),
        "Dusk pan": ("video", "mp4"),
        "Harbor still": ("image", "png"),
    }
    assert api.get("/api/v1/assets", {"kind": "video"}).json()["total"] == 1
    video = api.get(f"/api/v1/assets/{kinds[1].pk}/file")
    assert video.status_code == 200 and video["Content-Type"] == "video/mp4"


def test_stills_are_what_other_features_may_read_as_pixels(team, kinds):
    assert [asset.name for asset in scoped(Asset, team).filter(STILLS)] == ["Harbor still"]
    assert [asset.is_still for asset in kinds] == [True, False, False, False]
