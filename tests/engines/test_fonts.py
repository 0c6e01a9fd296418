"""The bundled OFL fonts, found by role, with their licence beside them."""

import pytest

from studio.engines.fonts import FONT_DIR, FONTS, font, font_path

pytestmark = pytest.mark.django_db


def test_every_role_names_a_bundled_font_pillow_can_draw_with():
    for role in FONTS:
        assert font_path(role).is_file()
        assert font(role, 32).getlength("Summer sale") > 0


def test_the_licence_ships_with_the_fonts():
    licence = (FONT_DIR / "OFL.txt").read_text()

    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    for filename in FONTS.values():
        assert filename in licence


def test_it_names_the_roles_when_a_font_is_unknown():
    with pytest.raises(KeyError, match="sans-bold"):
        font_path("comic-sans")
