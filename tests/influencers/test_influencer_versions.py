"""Creating influencers and locking versions: the anchor first, a new version per identity change, own copies."""

import pytest

from influencers import drift
from influencers.models import IdentityReference, Influencer, InfluencerVersion
from influencers.services import InfluencerError, asset_attach, influencer_create, version_create, version_embed
from library.services import asset_delete
from tests.influencers import photos
from tests.influencers.factories import astronaut_influencer, library_photo

pytestmark = pytest.mark.django_db


def test_it_creates_version_one_with_the_anchor_first_whatever_the_order_given(team, member):
    front = library_photo(team, member, photos.cropped(photos.astronaut(), (60, 0, 420, 360)), name="front")
    anchor = library_photo(team, member, photos.astronaut(), name="anchor")
    influencer = influencer_create(
        team=team,
        user=member,
        name="Eileen",
        references=[(front, "front"), (anchor, "anchor")],
        traits={"hair": "brown"},
    )
    version = influencer.current_version
    assert version.number == 1
    refs = list(version.references.order_by("position"))
    assert [(ref.role, ref.asset_id) for ref in refs] == [("anchor", anchor.pk), ("front", front.pk)]
    assert refs[0].sha256 == anchor.sha256 and bytes(refs[0].data)  # the version's own copy


def test_it_refuses_a_set_without_an_anchor_and_saves_nothing(team, member):
    front = library_photo(team, member, photos.astronaut())
    with pytest.raises(InfluencerError) as refused:
        influencer_create(team=team, user=member, name="Nobody", references=[(front, "front")])
    assert "identity anchor" in refused.value.errors["references"]
    assert not Influencer.objects.filter(team=team).exists()


def test_it_refuses_two_anchors(team, member):
    one, two = library_photo(team, member, photos.astronaut()), library_photo(team, member, photos.grace_hopper())
    with pytest.raises(InfluencerError) as refused:
        influencer_create(team=team, user=member, name="Two", references=[(one, "anchor"), (two, "anchor")])
    assert "Only one image" in refused.value.errors["references"]


def test_changing_the_traits_makes_a_new_version_and_leaves_the_old_one_as_it_was(team, member):
    influencer = astronaut_influencer(team, member, traits={"hair": "short brown"})
    first = influencer.current_version
    refs = list(first.references.all())
    second = version_create(
        influencer=influencer,
        user=member,
        references=[(ref, ref.role) for ref in refs],
        traits={"hair": "long red"},
        nevers=["no hats"],
        note="New hair",
    )
    first.refresh_from_db()
    influencer.refresh_from_db()
    assert (second.number, influencer.current_version_id) == (2, second.pk)
    assert first.traits == {"hair": "short brown"} and second.traits == {"hair": "long red"}
    assert InfluencerVersion.objects.filter(influencer=influencer).count() == 2


def test_attaching_a_library_image_makes_a_new_version_with_it(team, member):
    influencer = astronaut_influencer(team, member)
    extra = library_photo(team, member, photos.recoloured(photos.astronaut()), name="graded")
    version = asset_attach(influencer=influencer, user=member, asset=extra, role="three_quarter")
    assert version.number == 2
    assert [ref.role for ref in version.references.order_by("position")] == ["anchor", "three_quarter"]
    assert "Added graded" in version.change_note
    with pytest.raises(InfluencerError):
        asset_attach(influencer=influencer, user=member, asset=extra, role="profile")


def test_deleting_a_reference_from_the_library_leaves_the_version_whole(team, member):
    influencer = astronaut_influencer(team, member)
    ref = influencer.current_version.references.get(role="anchor")
    asset_delete(asset=ref.asset)
    ref.refresh_from_db()
    assert ref.asset_id is None
    assert bytes(ref.data)  # the pixels are still the version's
    assert influencer.current_version.references.count() == 1


def test_identity_embeddings_are_computed_once_per_version(team, member):
    influencer = astronaut_influencer(team, member, extra=[(photos.recoloured(photos.astronaut()), "front")])
    version = influencer.current_version
    before = drift.stats["embeddings"]
    version_embed(version=version)
    assert drift.stats["embeddings"] - before == 2
    version_embed(version=InfluencerVersion.objects.get(pk=version.pk))
    assert drift.stats["embeddings"] - before == 2  # stored, not computed again
    stored = [ref.embedding for ref in IdentityReference.objects.filter(version=version)]
    assert all(len(embedding) == 128 for embedding in stored)
    # A new version copies the readings of the references it keeps.
    refs = list(version.references.all())
    nxt = version_create(influencer=influencer, user=member, references=[(r, r.role) for r in refs], traits={})
    version_embed(version=nxt)
    assert drift.stats["embeddings"] - before == 2


def test_an_identity_image_without_a_face_or_with_several_is_kept_with_a_warning(team, member):
    two_people = photos.on_wide_canvas(photos.astronaut(), 1100, 620, 0, 0)
    two_people.paste(photos.grace_hopper(), (560, 10))
    influencer = astronaut_influencer(team, member, extra=[(photos.coffee(), "front"), (two_people, "full_body")])
    version = version_embed(version=influencer.current_version)
    by_role = {ref.role: ref for ref in version.references.all()}
    assert by_role["anchor"].face_count == 1 and by_role["anchor"].warning == ""
    assert by_role["front"].face_count == 0 and "No face found" in by_role["front"].warning
    assert by_role["full_body"].face_count == 2 and "2 faces found" in by_role["full_body"].warning
