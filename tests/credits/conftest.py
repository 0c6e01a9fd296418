"""Credits fixtures: in modules marked `operators`, the team's admin and owner are operators too (staff users), since
only operators grant credits (they are prepaid)."""

import pytest


def _operator_if_marked(request, user):
    if request.node.get_closest_marker("operators"):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def admin_user(request, make_member):
    return _operator_if_marked(request, make_member("admin"))


@pytest.fixture
def owner(request, make_member):
    return _operator_if_marked(request, make_member("owner"))
