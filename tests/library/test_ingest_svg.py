"""A model's SVG is kept as it came, rasterised with resvg for its tile and preview, and served only as a sandboxed
download; an uploaded SVG is refused, and so is a generated one that is absurd, reaches outside itself or cannot
be drawn."""

import pytest
from django.urls import reverse

from library.models import Asset
from library.selectors import SVG_POLICY, asset_bytes, asset_url
from library.services import Origin, asset_ingest, asset_renditions_remake
from library.storage import files_listed
from library.validators import UploadRejected
from library.vector import RASTER_MAX_PIXELS
from tests.library import images

pytestmark = pytest.mark.django_db

svg, NS = images.svg, images.SVG_NS


SCRIPTED = svg(
    '<rect width="300" height="200" fill="#1e3cdc"/><script>document.title = "svg script ran"</script>',
    extra="onload=\"document.title = 'svg onload ran'\"",
)


def generated(team, user, data, **kwargs):
    origin = Origin(source=Asset.Source.GENERATED, provenance={"prompt": "A red flag", "output_format": "svg"})
    return asset_ingest(team=team, user=user, data=data, filename="made.svg", origin=origin, **kwargs)


def nothing_stored(team):
    return not Asset.objects.exists() and not list(files_listed(f"teams/{team.pk}"))


def test_a_generated_svg_is_kept_as_it_came_with_its_declared_size(team, member):
    data = svg()
    asset = generated(team, member, data)

    assert (asset.kind, asset.format, asset.width, asset.height) == ("image", "svg", 300, 200)
    assert asset.file.endswith(".svg") and asset_bytes(asset) == data


def test_its_tile_and_preview_are_webp_rasters_drawn_by_resvg(team, member):
    asset = generated(team, member, svg())

    preview = images.decoded(asset_bytes(asset, "preview"))
    thumb = images.decoded(asset_bytes(asset, "thumb"))
    assert preview.format == thumb.format == "WEBP"
    assert preview.size == (1024, 683) and thumb.size == (384, 256)  # vectors are drawn at the preview's size
    red, green, blue, *_ = preview.getpixel((500, 300))
    assert red > 200 and green < 60 and blue < 60


def test_renditions_later_is_ignored_for_an_svg_whose_raster_is_made_anyway(team, member):
    asset = generated(team, member, svg(), renditions_later=True)
    assert asset.thumb and asset.preview


def test_the_file_url_serves_it_only_as_a_sandboxed_svg_attachment(client_for, member, team):
    asset = generated(team, member, SCRIPTED)

    response = client_for(member).get(asset_url(asset))

    assert response.status_code == 200 and b"".join(response) == SCRIPTED
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SVG_POLICY
    assert SVG_POLICY == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert response["Content-Disposition"].startswith("attachment")


def test_its_renditions_are_plain_webp_and_the_download_of_the_original_is_sandboxed_too(client_for, member, team):
    asset = generated(team, member, SCRIPTED)
    client = client_for(member)

    assert client.get(asset_url(asset, "thumb"))["Content-Type"] == "image/webp"
    download = client.get(reverse("library_asset_download", args=[asset.pk]), {"format": "svg"})
    assert download["Content-Type"] == "image/svg+xml" and download["Content-Security-Policy"] == SVG_POLICY
    assert download["Content-Disposition"].startswith("attachment") and b"".join(download) == SCRIPTED


def test_the_detail_page_shows_it_only_through_img(client_for, member, team):
    asset = generated(team, member, SCRIPTED)

    page = client_for(member).get(reverse("library_asset", args=[asset.pk])).content.decode()

    assert f'<img src="{asset_url(asset)}"' in page and "SVG vector" in page
    assert "<object" not in page and "<iframe" not in page and "<embed" not in page and "svg script" not in page


def test_a_png_download_is_drawn_afresh_at_the_size_asked_for(client_for, member, team):
    asset = generated(team, member, svg())

    response = client_for(member).get(
        reverse("library_asset_download", args=[asset.pk]), {"format": "png", "long_edge": 150}
    )

    assert response.status_code == 200
    assert images.decoded(b"".join(response)).size == (150, 100)


def test_an_uploaded_svg_is_refused(team, member):
    with pytest.raises(UploadRejected, match="SVG files are refused"):
        asset_ingest(team=team, user=member, data=svg(), filename="logo.svg")
    assert nothing_stored(team)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (svg(size='width="100000" height="20"'), "declares 100,000 × 20 px; the limit is 16,384 px a side"),
        (svg(size='width="0" height="20"'), "declares a size of zero"),
        (svg()[:-12], "not well-formed XML"),
        (b'<svg width="10" height="10"><rect width="5" height="5"/></svg>', "not an SVG document"),
        (svg('<image href="/etc/hostname" width="10" height="10"/>'), "refers to a file or address outside itself"),
        (svg('<rect style="fill: url(/etc/x.svg#a)" width="5" height="5"/>'), "outside itself"),
        (svg("<style>@import url(http://example.com/a.css);</style>"), "outside itself"),
        (
            b'<!DOCTYPE svg [<!ENTITY lol "lol">]><svg ' + NS.encode() + b' width="9" height="9">&lol;</svg>',
            "declares XML entities",
        ),
        (svg("<g>" * 3000 + "<rect/>" + "</g>" * 3000), "could not be drawn"),
    ],
    ids=["absurd-size", "zero-size", "cut-short", "no-namespace", "file-href", "style-url", "import", "entity", "deep"],
)
def test_a_generated_svg_that_is_absurd_reaches_outside_or_cannot_be_drawn_is_refused_with_a_reason(
    team, member, data, message
):
    with pytest.raises(UploadRejected) as refused:
        generated(team, member, data)

    assert refused.value.message.startswith("The SVG the model made could not be kept: ")
    assert message in refused.value.message
    assert nothing_stored(team)


def test_an_svg_with_an_embedded_image_and_internal_references_is_kept(team, member):
    pixel = "data:image/png;base64," + __import__("base64").b64encode(images.png(4, 4)).decode()
    body = (
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>'
        f'<rect width="300" height="200" fill="url(#g)"/><use href="#g"/><image href="{pixel}" width="4" height="4"/>'
    )
    assert generated(team, member, svg(body)).format == "svg"


def test_the_size_comes_from_the_viewbox_when_the_svg_gives_none(team, member):
    asset = generated(team, member, svg(size='viewBox="0 0 120 60"'))
    assert (asset.width, asset.height) == (120, 60)


def test_its_renditions_can_be_made_again(team, member):
    asset = generated(team, member, svg())
    made = asset_renditions_remake(asset=asset)
    assert made["preview"] != asset.preview


def test_a_png_of_a_huge_declared_svg_is_drawn_at_the_largest_size_the_raster_cap_allows(client_for, member, team):
    asset = generated(team, member, svg(size='width="6000" height="3000"'))

    response = client_for(member).get(reverse("library_asset_download", args=[asset.pk]), {"format": "png"})

    assert response.status_code == 200
    width, height = images.decoded(b"".join(response)).size
    assert width * height <= RASTER_MAX_PIXELS and width >= 5700 and abs(width - 2 * height) <= 2
