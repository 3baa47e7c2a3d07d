"""The board's tracker search reloads the page (a GET, with JavaScript on or off): a
status region already there at load is not read out, so the result takes the focus
(read out, and in view at 200% zoom on a phone)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.elections import ballotbox

from .test_casting_safety import _ballot

pytestmark = pytest.mark.django_db


def test_the_search_result_takes_the_focus(client, open_election):
    c = open_election
    trackers = [ballotbox.cast(c.election, _ballot(c, i, yes=True)) for i in range(5)]
    ballotbox.release_batch(c.election)
    url = reverse("elections:board", args=[c.election.slug])
    for wanted, said in ((trackers[0], "Found in batch 1"), ("f" * 64, "Not on the board (yet)")):
        html = client.get(url, {"tracker": wanted}).content.decode()
        assert f'<p role="status" id="find-result" tabindex="-1" autofocus>{said}' in html
        assert html.count("autofocus") == 1
        assert f'value="{wanted}"' in html
    # Before a search there is nothing to announce and the focus stays at the top.
    html = client.get(url).content.decode()
    assert "find-result" not in html and "autofocus" not in html
