import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_page_explains_itself_inside_the_studio(client_for, member):
    response = client_for(member).get("/library/assets/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "belongs to a team you are not part of" in body
    assert 'class="sidebar"' in body
