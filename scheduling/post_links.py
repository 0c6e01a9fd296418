"""A published post's address on its platform, as an admin pastes it, and the post id Postframe reads from it.

When Postframe could not confirm a post and an admin found it by hand, the link they paste is kept on the channel
post, and where the address carries the post's id (X, LinkedIn, TikTok) the first comment can still go under it.
Instagram's addresses carry a shortcode, not the media id the API comments under.
"""

import re
from urllib.parse import unquote, urlsplit

# platform → (hosts, a pattern over the path whose "id" group is what the platform's API calls the post, or None)
POST_ADDRESSES = {
    "x": ({"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"}, re.compile(r"/status/(?P<id>\d+)")),
    "linkedin": ({"linkedin.com"}, re.compile(r"(?P<id>urn:li:(?:share|ugcPost|activity):\d+)")),
    "tiktok": ({"tiktok.com", "m.tiktok.com"}, re.compile(r"/(?:video|photo)/(?P<id>\d+)")),
    "instagram": ({"instagram.com"}, re.compile(r"^/(?:p|reel|reels|tv)/[\w-]+")),
}
EXAMPLES = {
    "x": "https://x.com/yourname/status/1234567890",
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:share:1234567890/",
    "tiktok": "https://www.tiktok.com/@yourname/video/1234567890",
    "instagram": "https://www.instagram.com/p/AbC123xyz/",
}


class NotAPostLink(ValueError):
    pass


def names_posts(platform):
    """Whether a post's address on `platform` carries the id its API knows the post by."""
    known = POST_ADDRESSES.get(platform)
    return known is not None and "id" in known[1].groupindex


def post_link_read(platform, link, *, label):
    """(the link as kept, the post id in it or "") for a link to a post on `platform`; "" for no link. Raises
    NotAPostLink with words fit to show when the link is not the address of a post there."""
    link = (link or "").strip()
    if not link:
        return "", ""
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(link) > 500:
        raise NotAPostLink(f"Paste the post's address on {label}, starting with https://.")
    known = POST_ADDRESSES.get(platform)
    if known is None:  # a webhook or a bundle: any web address is theirs to give
        return link, ""
    hosts, pattern = known
    host = parts.hostname.lower().removeprefix("www.")
    found = pattern.search(unquote(parts.path))
    if host not in hosts or found is None:
        raise NotAPostLink(f"That is not the address of a post on {label}; it looks like {EXAMPLES[platform]}.")
    return link, found.groupdict().get("id") or ""
