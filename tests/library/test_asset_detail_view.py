"""An asset's page: the image large, how it was made, its lineage, and what a member can do with it."""

import pytest

from tests.factories import TeamFactory
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db

JOB_ID = "5f1c0b7e-9d0a-4c2e-8a51-3f0e2b6d7c11"


@pytest.fixture
def family(team, member):
    reference = stored_asset(team, member, name="Brand palette", source="upload")
    mask = stored_asset(team, member, name="Sky mask", source="upload")
    parent = stored_asset(team, member, name="First draft")
    asset = stored_asset(
        team,
        member,
        name="Hero v2",
        parent=parent,
        provenance={
            "prompt": "A red fox at sunset, cinematic",
            "revised_prompt": "A cinematic photograph of a red fox",
            "model_id": "openai:gpt-image-2",
            "parameters": {"size": "1536x1024", "quality": "high", "output_format": "png", "n": 2},
            "reference_asset_ids": [reference.pk],
            "references": [{"asset_id": reference.pk, "role": "style"}],
            "mask_asset_id": mask.pk,
            "seed": 424242,
            "cost": 8,
            "timings": {"queued_ms": 120, "first_frame_ms": 2400, "total_ms": 9100},
            "response_id": "resp_abc123",
            "job_id": JOB_ID,
            "usage": {"output_tokens": 4160},
        },
    )
    child = stored_asset(team, member, name="Hero v3", parent=asset)
    return {"reference": reference, "mask": mask, "parent": parent, "asset": asset, "child": child}


def test_it_shows_the_image_large_with_its_facts(client_for, member, family):
    asset = family["asset"]
    page = client_for(member).get(f"/library/assets/{asset.pk}/").content.decode()

    assert f'src="/library/assets/{asset.pk}/files/preview/"' in page
    assert f'href="/library/assets/{asset.pk}/files/original/"' in page
    assert "<h1>Hero v2</h1>" in page
    assert f"{asset.width} × {asset.height} px · PNG" in page


def test_it_shows_the_full_provenance(client_for, member, family):
    page = client_for(member).get(f"/library/assets/{family['asset'].pk}/").content.decode()

    for text in [
        "A red fox at sunset, cinematic",
        "A cinematic photograph of a red fox",
        "<dt>Model</dt>\n<dd>GPT Image 2</dd>",
        "<dt>Size asked for</dt>\n<dd>1536 × 1024 px</dd>",
        "<dt>Quality</dt>\n<dd>High</dd>",
        "<dt>Format</dt>\n<dd>PNG</dd>",
        "<dt>Images in the job</dt>\n<dd>2</dd>",
        "<code>424242</code>",
        "<dt>Cost</dt>\n<dd>8 credits</dd>",
        "<dt>First frame after</dt>\n<dd>2.4 s</dd>",
        "<dt>Waited for a worker</dt>\n<dd>120 ms</dd>",
        "<dt>Tokens</dt>\n<dd>4,160 output tokens</dd>",
        "resp_abc123",
        f'href="/studio/jobs/{JOB_ID}/"',
    ]:
        assert text in page, text
    reference = family["reference"]
    assert f'href="/library/assets/{reference.pk}/"' in page
    assert f'src="/library/assets/{reference.pk}/files/thumb/"' in page and "Style" in page
    assert f'src="/library/assets/{family["mask"].pk}/files/thumb/"' in page


def test_it_shows_the_lineage_both_ways(client_for, member, family):
    page = client_for(member).get(f"/library/assets/{family['asset'].pk}/").content.decode()
    lineage = page[page.index('id="lineage-title"') :]
    assert "Made from" in lineage and f'href="/library/assets/{family["parent"].pk}/"' in lineage
    assert f'href="/library/assets/{family["child"].pk}/"' in lineage


def test_it_offers_the_studio_actions_and_downloads(client_for, member, family):
    asset = family["asset"]
    page = client_for(member).get(f"/library/assets/{asset.pk}/").content.decode()
    assert f'href="/studio/?reference={asset.pk}"' in page and "Use as reference" in page
    assert f'href="/studio/?refine={asset.pk}"' in page and "Refine" in page
    assert f'action="/library/assets/{asset.pk}/download/"' in page
    for choice in ("PNG", "JPEG", "WebP"):
        assert f">{choice}</option>" in page


def test_its_delete_confirmation_says_what_happens_to_the_lineage(client_for, member, family):
    page = client_for(member).get(f"/library/assets/{family['asset'].pk}/").content.decode()
    assert 'data-confirm-title="Delete “Hero v2”?"' in page
    assert "The asset made from it stays, without a parent. This cannot be undone." in page
    assert 'data-confirm-yes="Delete asset" data-confirm-no="Keep it"' in page


def test_its_provenance_has_no_empty_null_or_raw_values(client_for, team, member):
    asset = stored_asset(
        team,
        member,
        provenance={
            "prompt": "A lemon on blue",
            "model_id": "local:draft",
            "parameters": {"size": "1024x1024", "quality": "low", "input_fidelity": None, "background": "auto"},
            "mask": None,
            "mask_asset_id": None,
            "seed": 7,
            "cost": 0,
            "usage": {"engine": "local", "images": 1},
            "timings": {"queued_ms": 12, "first_frame_ms": None, "total_ms": 48210},
            "parent_job_id": None,
            "image_index": 0,
        },
    )
    page = client_for(member).get(f"/library/assets/{asset.pk}/").content.decode()
    made = page[page.index('id="provenance-title"') : page.index('id="lineage-title"')]

    for raw in ("null", "None", "{", "input_fidelity", "first_frame_ms", "usage", "image_index", "<dd></dd>"):
        assert raw not in made, raw
    assert "<dt>Background</dt>\n<dd>Automatic</dd>" in made
    assert "<dt>Cost</dt>\n<dd>Free</dd>" in made
    assert "<dt>Made in</dt>\n<dd>48.2 s</dd>" in made


def test_an_upload_says_it_has_no_generation_record(client_for, member, family):
    page = client_for(member).get(f"/library/assets/{family['reference'].pk}/").content.decode()
    assert "There is no generation record for this file" in page


def test_a_viewer_sees_everything_but_cannot_change_anything(client_for, viewer, family):
    asset = family["asset"]
    page = client_for(viewer).get(f"/library/assets/{asset.pk}/").content.decode()
    assert "A red fox at sunset" in page and "Download" in page
    for control in ("Edit title", "Save tags", "Delete asset", "Use as reference", "rating/"):
        assert control not in page, control


def test_a_reference_of_another_team_is_never_shown(client_for, team, member):
    foreign = stored_asset(TeamFactory(), name="Their secret")
    asset = stored_asset(team, member, provenance={"prompt": "x", "reference_asset_ids": [foreign.pk]})
    page = client_for(member).get(f"/library/assets/{asset.pk}/").content.decode()
    assert "Their secret" not in page and f"/library/assets/{foreign.pk}/" not in page
    assert "is no longer in the library" in page


def test_another_teams_asset_is_not_found(client_for, outsider, family):
    assert client_for(outsider).get(f"/library/assets/{family['asset'].pk}/").status_code == 404
