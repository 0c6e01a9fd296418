"""An asset's page: the image large, how it was made, its lineage, and what a member can do with it."""

import pytest

from tests.factories import TeamFactory
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


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
            "job_id": "5f1c-job",
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
        "GPT Image 2",
        "openai:gpt-image-2",
        "1536x1024",
        "quality",
        "424242",
        "8 credits",
        "first frame",
        "2,400 ms",
        "resp_abc123",
        "5f1c-job",
        "output_tokens",
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
    assert 'data-confirm="Delete “Hero v2”? The asset made from it stays, without a parent.' in page


def test_an_upload_says_it_has_no_generation_record(client_for, member, family):
    page = client_for(member).get(f"/library/assets/{family['reference'].pk}/").content.decode()
    assert "There is no generation record for this file" in page


def test_a_viewer_sees_everything_but_cannot_change_anything(client_for, viewer, family):
    asset = family["asset"]
    page = client_for(viewer).get(f"/library/assets/{asset.pk}/").content.decode()
    assert "A red fox at sunset" in page and "Download" in page
    for control in ("Rename", "Save tags", "Delete asset", "Use as reference", "rating/"):
        assert control not in page, control


def test_a_reference_of_another_team_is_never_shown(client_for, team, member):
    foreign = stored_asset(TeamFactory(), name="Their secret")
    asset = stored_asset(team, member, provenance={"prompt": "x", "reference_asset_ids": [foreign.pk]})
    page = client_for(member).get(f"/library/assets/{asset.pk}/").content.decode()
    assert "Their secret" not in page and f"/library/assets/{foreign.pk}/" not in page
    assert "is no longer in the library" in page


def test_another_teams_asset_is_not_found(client_for, outsider, family):
    assert client_for(outsider).get(f"/library/assets/{family['asset'].pk}/").status_code == 404
