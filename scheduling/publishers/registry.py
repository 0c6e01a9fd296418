"""The platforms Postframe publishes to, their labels and rules, and `publisher_for(platform)`."""

from dataclasses import dataclass

from scheduling.publishers.bundle import BundlePublisher
from scheduling.publishers.checks import Problem, jpeg_needed  # noqa: F401  (the composer imports them from here)
from scheduling.publishers.instagram import InstagramPublisher
from scheduling.publishers.linkedin import LinkedInPublisher
from scheduling.publishers.tiktok import TikTokPublisher
from scheduling.publishers.webhook import WebhookPublisher
from scheduling.publishers.x import XPublisher


@dataclass(frozen=True)
class Platform:
    key: str
    label: str
    publisher: type
    oauth: bool  # connects through OAuth (scheduling/oauth.py); all of them can also take a pasted token

    @property
    def rules(self):
        return self.publisher.rules


PLATFORMS = {
    platform.key: platform
    for platform in (
        Platform("instagram", "Instagram", InstagramPublisher, oauth=True),
        Platform("linkedin", "LinkedIn", LinkedInPublisher, oauth=True),
        Platform("x", "X", XPublisher, oauth=True),
        Platform("tiktok", "TikTok", TikTokPublisher, oauth=True),
        Platform("webhook", "Webhook", WebhookPublisher, oauth=False),
        Platform("bundle", "Download bundle", BundlePublisher, oauth=False),
    )
}
PLATFORM_CHOICES = [(platform.key, platform.label) for platform in PLATFORMS.values()]


def publisher_for(platform):
    """A publisher for `platform`, configured from settings (API host, timeouts, LinkedIn version)."""
    try:
        return PLATFORMS[platform].publisher()
    except KeyError:
        raise ValueError(f"Postframe does not publish to {platform!r}.") from None


def images_to_convert(platform, media):
    """The images the composer converts to JPEG on save for this platform (empty when none need it)."""
    return jpeg_needed(media, PLATFORMS[platform].rules)
