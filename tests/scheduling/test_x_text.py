"""X's weighted length, as X counts a post against its 280 (twitter-text's v3 configuration)."""

import pytest

from scheduling.publishers.base import PublishRequest
from scheduling.publishers.x import XPublisher
from scheduling.publishers.x_text import weighted_length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Spring menu", 11),
        ("Café crème", 10),
        ("Cafe\u0301", 4),  # counted in NFC: the combining accent joins its letter
        ("Ελληνικά и кириллица", 20),
        ("春のメニュー", 12),  # CJK weighs 2
        ("🎉", 2),
        ("👍🏽", 2),  # with its skin tone: one emoji
        ("👩‍👩‍👧", 2),  # a family joined by ZWJ: one emoji
        ("🇫🇷", 2),  # a flag: one emoji
        ("Menu: https://harbor.example/menus/spring-2027?utm_source=x", 29),  # a link weighs 23
        ("(see https://x.com/a).", 30),  # trailing punctuation is not part of the link
        ("www.harbor.example/menu", 23),
        ("“quotes” — and…", 16),  # quotes and dashes weigh 1, the ellipsis (U+2026) 2
    ],
)
def test_it_counts_as_x_counts(text, length):
    assert weighted_length(text) == length


def _problems(text, first_comment=""):
    return XPublisher().problems(PublishRequest("check", text, (), first_comment=first_comment))


def test_the_composer_refuses_a_caption_x_would_refuse_and_says_why():
    assert _problems("a" * 270 + "🎉" * 5) == []  # 280 by X's count, 275 characters
    refused = _problems("a" * 270 + "🎉" * 6)
    assert refused == [
        "X takes up to 280 characters: this caption is 282, 2 characters too many (X counts an emoji or a CJK "
        "character as 2 and a link as 23)."
    ]
    long_link = "Read more: https://harbor.example/" + "a" * 400
    assert _problems(long_link) == []  # the link counts 23 however long it is


def test_a_first_comment_is_counted_the_same_way():
    refused = _problems("Fine", first_comment="春" * 141)
    assert refused == [
        "X takes a first comment of up to 280 characters: this one is 282 (X counts an emoji or a CJK character as "
        "2 and a link as 23)."
    ]
