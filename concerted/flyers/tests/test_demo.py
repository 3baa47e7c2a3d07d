from __future__ import annotations

import random

import pytest
from nacl.public import PrivateKey

from concerted.core.demo import DemoContext
from concerted.flyers import demo
from concerted.invites.models import InviteBatch, InviteCode

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("installation", "label"), [("a4", "A4"), ("letter", "US Letter")])
def test_it_loads_an_invite_batch_and_prints_the_flyer_url(
    settings, campaign, petition, owner, as_user, installation, label
):
    # The demo serves on loopback: a link straight to flyer.pdf answered 400 there (it
    # needs the page's "Yes, this is a test" tick) and named Letter on an A4 installation.
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    settings.PAPER = installation
    ctx = DemoContext(campaign, owner, PrivateKey.generate(), random.Random(1), "http://127.0.0.1:8000")
    lines = demo.load(ctx)
    page = f"/en/o/flyers/petition/{petition.pk}/"
    assert f"http://127.0.0.1:8000{page} (its PDF on {label}, this installation's paper" in lines[0]
    assert "flyer.pdf" not in " ".join(lines)
    printed = as_user("owner").get(page)
    assert printed.status_code == 200
    html = printed.content.decode()
    assert f'<option value="{installation}" selected>' in html
    # The page's form makes the PDF from that address, TEST ticked.
    made = as_user("owner").get(f"{page}flyer.pdf", {"test": "yes", "paper": installation})
    assert made.status_code == 200 and made.content.startswith(b"%PDF")
    batch = InviteBatch.objects.get()
    assert (batch.size, batch.used) == (16, 2)
    assert InviteCode.objects.count() == 14
