"""The rule checks the composer runs before saving a post, shared by every publisher's problems().

Each problem is a sentence fit to show beside the post. A `Problem` is a str with `.fixable`: True when Postframe
fixes it itself on save (an image converted to JPEG), False when the person must change the post.
"""

from scheduling.publishers.base import PlatformRules, PublishMedia

FORMAT_NAMES = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "gif": "GIF", "heic": "HEIC", "avif": "AVIF"}
MIME_FORMATS = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "image/avif": "avif",
}


class Problem(str):
    fixable = False

    def __new__(cls, text, *, fixable=False):
        problem = super().__new__(cls, text)
        problem.fixable = fixable
        return problem


def image_format(media: PublishMedia):
    return MIME_FORMATS.get(media.mime.lower().split(";")[0].strip(), media.mime.rsplit("/", 1)[-1].lower())


def jpeg_needed(media, rules: PlatformRules):
    """The images of `media` the composer must convert to JPEG on save: formats the platform refuses but JPEG
    (which every platform here takes) fixes. Returns the PublishMedia items, in order."""
    return [
        item
        for item in media
        if item.kind == "image" and image_format(item) not in rules.image_formats and "jpeg" in rules.image_formats
    ]


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _mb(size):
    return f"{size / (1024 * 1024):.1f} MB"


def aspect_words(ratio):
    known = {0.8: "4:5", 1.91: "1.91:1", 0.5625: "9:16", 1.0: "1:1", 1.7778: "16:9"}
    return known.get(round(ratio, 4), f"{ratio:.2f}:1")


def check(rules: PlatformRules, request, *, label, text=None):
    """Problems common to every platform: caption length, item count, kinds, formats, aspect and size."""
    problems = []
    text = request.text if text is None else text
    limit, length = caption_limit(rules, request.media), rules.length(text)
    if length > limit:
        note = f" ({rules.length_note})" if rules.length_note and length != len(text) else ""
        over = length - limit
        problems.append(
            Problem(
                f"{label} takes up to {limit:,} characters{' with a video' if limit != rules.caption_max else ''}: "
                f"this caption is {length:,}, {_count(over, 'character')} too many{note}."
            )
        )
    comment = request.first_comment or ""
    if rules.comment_max and (comment_length := rules.length(comment)) > rules.comment_max:
        note = f" ({rules.length_note})" if rules.length_note and comment_length != len(comment) else ""
        problems.append(
            Problem(
                f"{label} takes a first comment of up to {rules.comment_max:,} characters: this one is "
                f"{comment_length:,}{note}."
            )
        )
    media = list(request.media)
    if len(media) > rules.media_max:
        problems.append(
            Problem(f"{label} takes up to {_count(rules.media_max, 'item')} in one post: this one has {len(media)}.")
        )
    if len(media) < rules.media_min:
        noun = "image or video" if "video" in rules.kinds else "image"
        problems.append(Problem(f"{label} needs at least {_count(rules.media_min, noun)} in a post."))
    wrong_kind = [item for item in media if item.kind not in rules.kinds]
    if wrong_kind:
        kinds = sorted({item.kind for item in wrong_kind})
        problems.append(
            Problem(
                f"{label} posts from Postframe take {' and '.join(_plural(k) for k in rules.kinds)} only: "
                f"remove the {' and '.join(_plural(k) for k in kinds)}."
            )
        )
    images = [item for item in media if item.kind == "image"]
    convert = jpeg_needed(images, rules)
    if convert:
        names = sorted({FORMAT_NAMES.get(image_format(item), image_format(item)) for item in convert})
        accepted = " or ".join(FORMAT_NAMES[f] for f in rules.image_formats)
        problems.append(
            Problem(
                f"{label} takes {accepted} only: {len(convert)} of {_count(len(images), 'image')} "
                f"{'is' if len(convert) == 1 else 'are'} {' and '.join(names)} — "
                f"{'it' if len(convert) == 1 else 'they'}'ll be converted to JPEG when you save.",
                fixable=True,
            )
        )
    for position, item in enumerate(images, start=1):
        if item.width and item.height and (rules.min_aspect or rules.max_aspect):
            ratio = item.width / item.height
            low, high = rules.min_aspect or 0, rules.max_aspect or float("inf")
            if not low - 0.005 <= ratio <= high + 0.005:
                problems.append(
                    Problem(
                        f"{label} takes images from {aspect_words(low)} (tall) to {aspect_words(high)} (wide): "
                        f"image {position} is {item.width}×{item.height} — crop it to fit."
                    )
                )
        converted = item in convert
        if rules.max_bytes and item.size > rules.max_bytes and not converted:
            problems.append(
                Problem(f"{label} takes images up to {_mb(rules.max_bytes)}: image {position} is {_mb(item.size)}.")
            )
    if "video" in rules.kinds:
        problems += _video_problems(rules, media, label=label)
    return problems


def caption_limit(rules: PlatformRules, media):
    """The longest caption the platform takes for a post with these media."""
    has_video = any(item.kind == "video" for item in media)
    return rules.video_caption_max if has_video and rules.video_caption_max else rules.caption_max


def _video_problems(rules, media, *, label):
    """A video goes alone, in a container the platform takes, within its length and size."""
    problems = []
    videos = [item for item in media if item.kind == "video"]
    if videos and len(media) > 1:
        problems.append(
            Problem(
                f"{label} posts a video on its own: this post has {len(media)} items. Keep the video alone, or "
                "post the images without it."
            )
        )
    for position, item in enumerate(videos, start=1):
        name = f"video {position}" if len(videos) > 1 else "the video"
        fmt = video_format(item)
        if fmt not in rules.video_formats:
            accepted = " or ".join(f.upper() for f in rules.video_formats)
            problems.append(Problem(f"{label} takes {accepted} videos: {name} is {fmt.upper()}."))
        too_short = rules.video_min_ms and item.duration_ms and item.duration_ms < rules.video_min_ms
        too_long = rules.video_max_ms and item.duration_ms > rules.video_max_ms
        if too_short or too_long:
            problems.append(
                Problem(
                    f"{label} takes videos from {length_words(rules.video_min_ms)} to "
                    f"{length_words(rules.video_max_ms)}: {name} is {length_words(item.duration_ms)}."
                )
            )
        if rules.video_min_bytes and item.size and item.size < rules.video_min_bytes:
            problems.append(
                Problem(
                    f"{label} takes videos of {rules.video_min_bytes // 1024} KB or more: {name} is "
                    f"{item.size / 1024:.0f} KB."
                )
            )
        if rules.video_max_bytes and item.size > rules.video_max_bytes:
            problems.append(
                Problem(f"{label} takes videos up to {_mb(rules.video_max_bytes)}: {name} is {_mb(item.size)}.")
            )
    return problems


def video_format(media: PublishMedia):
    mime = media.mime.lower().split(";")[0].strip()
    return {"video/quicktime": "mov", "video/mp4": "mp4", "video/webm": "webm"}.get(mime, mime.rsplit("/", 1)[-1])


def length_words(ms):
    """3 s, 2.5 s, 15 min, 2 min 20 s."""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}".removesuffix(".0") + " s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def _plural(kind):
    return {"image": "images", "video": "videos", "pdf": "PDF documents"}.get(kind, kind + "s")
