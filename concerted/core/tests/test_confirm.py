"""Irreversible actions ask first, without JavaScript: the first POST shows what can't be
undone; only a second POST with confirm=yes acts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.accounts.models import ExportToken
from concerted.campaigns.models import Segment

pytestmark = pytest.mark.django_db


def test_removing_a_group_asks_first(as_user, campaign):
    segment = campaign.segments.first()
    url = reverse("campaigns:segment_delete", args=[campaign.pk, segment.pk])
    client = as_user("teammate")
    asked = client.post(url)
    page = asked.content.decode()
    assert asked.status_code == 200 and "can't be undone" in page
    assert 'name="confirm" value="yes"' in page and f'action="{url}"' in page
    assert "<script" not in page.split("</main>")[0].split("<main")[-1]
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_revoking_a_token_asks_first(as_user, owner):
    obj, _token = ExportToken.issue(owner, "laptop")
    url = reverse("accounts:token_revoke", args=[obj.pk])
    client = as_user("owner")
    assert "can't be undone" in client.post(url).content.decode()
    assert ExportToken.objects.filter(pk=obj.pk).exists()
    client.post(url, {"confirm": "yes"})
    assert not ExportToken.objects.filter(pk=obj.pk).exists()
