"""Participant pages say when a destroyed record is gone for good: when the last
encrypted backup holding it expires (settings.BACKUP_KEEP_DAYS)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.test import Client


def test_it_says_on_the_privacy_page_how_long_backups_keep_a_withdrawn_signature(settings, db):
    settings.BACKUP_KEEP_DAYS = 3
    body = Client().get("/privacy/").content.decode()
    assert "encrypted nightly backups for 3 days" in body


def test_it_says_on_the_pledge_terms_when_a_destroyed_pledge_is_gone_for_good(settings):
    settings.BACKUP_KEEP_DAYS = 9
    pledge = SimpleNamespace(threshold_percent=None, deadline=datetime.date(2026, 6, 1))
    html = render_to_string("pledges/_terms.html", {"pledge": pledge, "threshold": 20})
    assert "every pledge is destroyed" in html
    assert "encrypted nightly backups for 9 days" in html and "gone for good" in html
