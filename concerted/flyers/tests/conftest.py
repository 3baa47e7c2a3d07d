from __future__ import annotations

import pytest


@pytest.fixture
def invite_petition(petition):
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    return petition


@pytest.fixture(autouse=True)
def _public_address(settings):
    """Most flyer tests print for a reachable address; the test-address gate has its own tests."""
    settings.PUBLIC_BASE_URL = "https://organize.example.org"
