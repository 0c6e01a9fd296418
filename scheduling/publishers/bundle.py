"""The "download bundle" channel: nothing is posted anywhere; the post becomes a zip the team downloads and posts
by hand.

publish() makes nothing remote and returns the bundle's manifest in PublishResult.raw: {"caption": text,
"first_comment": …, "files": [{"name": "01.jpg", "url": signed URL, "mime", "alt_text"}, …]}. The dispatcher builds
the zip from the post's library assets in that order (caption.txt plus the files under those names) and stores it
with the attempt; remote_id is "bundle-<external id>". confirm() returns the same result: it cannot have failed
remotely.
"""

from scheduling.publishers.base import PlatformRules, PublishResult

PLATFORM, LABEL = "bundle", "Download bundle"
RULES = PlatformRules(
    caption_max=100_000, media_max=100, kinds=("image", "video", "pdf"), image_formats=("jpeg", "png", "webp", "gif")
)
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "application/pdf": "pdf",
}


def manifest(request):
    return {
        "caption": request.text,
        "first_comment": request.first_comment,
        "files": [
            {
                "name": f"{index:02d}.{EXTENSIONS.get(item.mime, 'bin')}",
                "url": item.url,
                "mime": item.mime,
                "alt_text": item.alt_text,
            }
            for index, item in enumerate(request.media, start=1)
        ],
    }


class BundlePublisher:
    platform = PLATFORM
    label = LABEL
    rules = RULES

    def problems(self, request):
        return []

    def publish(self, credentials, request):
        return PublishResult(remote_id=f"bundle-{request.external_id}", raw=manifest(request))

    def confirm(self, credentials, request):
        return self.publish(credentials, request)

    def refresh(self, credentials):
        return credentials
