"""What is sent for a scene: the images in order (the anchor always Image 1) and the prompt that names each of them.

It follows OpenAI's guidance for keeping a character across GPT Image edits: every scene is an edit of the same
identity anchor (never of a previous output), each input is named by its index, and the preserve list is written
out in full every time.
"""

from dataclasses import dataclass, field

from influencers.models import IDENTITY_ROLES, ROLE_ORDER, TRAIT_FIELDS, Role
from studio.engines.capabilities import capabilities

ROLE_LINES = {
    Role.ANCHOR: "identity anchor of {name}. This is the person to keep in every image.",
    Role.FRONT: "the same person from the front.",
    Role.THREE_QUARTER: "the same person in three-quarter view.",
    Role.PROFILE: "the same person in profile.",
    Role.FULL_BODY: "the same person full body, for build and proportions.",
    Role.WARDROBE: "wardrobe reference: the clothing to wear, not a different person.",
    Role.PROPS: "props reference: objects the person carries or uses.",
    Role.STYLE: "style reference: match its look and light, not its subject.",
}
# The Studio's reference roles (what generation_submit takes) for each identity role.
ENGINE_ROLES = {
    Role.ANCHOR: "identity",
    Role.FRONT: "identity",
    Role.THREE_QUARTER: "identity",
    Role.PROFILE: "identity",
    Role.FULL_BODY: "identity",
    Role.WARDROBE: "object",
    Role.PROPS: "object",
    Role.STYLE: "style",
}
PRESERVE = "Do not change the face, facial features, skin tone, eye colour, hair, age or build."


@dataclass
class Plan:
    """Everything a scene sends: images (IdentityReference rows, Image 1 first), the prompt and the parameters."""

    prompt: str
    sent: list
    left_out: list = field(default_factory=list)
    input_fidelity: str | None = None
    model_id: str = ""
    notes: list = field(default_factory=list)

    @property
    def references(self):
        """The references as generation_submit takes them; each row must have a library asset by then."""
        return [{"asset_id": ref.asset_id, "role": ENGINE_ROLES[ref.role]} for ref in self.sent]


def ordered(references):
    """The anchor first, then the other views, then wardrobe, props and style; the set's own order within a role."""
    rank = {role: index for index, role in enumerate(ROLE_ORDER)}
    return sorted(references, key=lambda ref: (rank.get(ref.role, len(rank)), ref.position))


def scene_plan(version, brief, model_id):
    caps = capabilities(model_id)
    refs = ordered(list(version.references.all()))
    sent, left_out = refs[: caps.max_references], refs[caps.max_references :]
    notes = []
    if left_out:
        names = ", ".join(f"{ref.get_role_display().lower()} ({ref.name or 'image'})" for ref in left_out)
        notes.append(f"{caps.label} takes {caps.max_references} images, so these are left out: {names}.")
    if not any(ref.role == Role.ANCHOR for ref in sent):
        notes.append("This version has no identity anchor; the first image stands in as Image 1.")
    fidelity = "high" if caps.input_fidelity == "low-high" else None
    if caps.input_fidelity == "always-high":
        notes.append(f"{caps.label} always keeps input images at high fidelity.")
    return Plan(
        prompt=scene_prompt(version, brief, sent),
        sent=sent,
        left_out=left_out,
        input_fidelity=fidelity,
        model_id=model_id,
        notes=notes,
    )


def scene_prompt(version, brief, sent):
    name = version.influencer.name
    lines = [f"Edit Image 1 into this scene, keeping the same person: {brief.strip()}", ""]
    for number, ref in enumerate(sent, start=1):
        line = ROLE_LINES.get(ref.role, "reference.").format(name=name)
        lines.append(f"Image {number}: {line}")
    lines += ["", f"Identity lock: the person in every image is {name}, exactly as in Image 1. {PRESERVE}"]
    identity_count = sum(1 for ref in sent if ref.role in IDENTITY_ROLES)
    if identity_count > 1:
        lines.append(f"Images 1 to {identity_count} show the same person; use them together for the face and build.")
    traits = [(label, version.traits.get(key, "").strip()) for key, label in TRAIT_FIELDS]
    traits = [(label, value) for label, value in traits if value]
    if traits:
        lines += ["", "Traits to keep:"] + [f"- {label}: {value}" for label, value in traits]
    nevers = [never.strip() for never in version.nevers if never.strip()]
    if nevers:
        lines += ["", "Never:"] + [f"- {never}" for never in nevers]
    lines += ["", "Change only the scene, pose, expression, setting, lighting and framing. " + PRESERVE]
    return "\n".join(lines)
