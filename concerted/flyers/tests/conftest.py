from __future__ import annotations

import pytest


@pytest.fixture
def invite_petition(petition):
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    return petition
