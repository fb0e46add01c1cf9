import pytest

from progress.tests.factories import build_world


@pytest.fixture
def world(db):
    return build_world()
