"""Release moments are written as each language writes a day of the month."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from concerted.core.templatetags.concerted_text import day_and_time

MOMENT = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "2 December, 08:00 UTC"), ("de", "2. Dezember, 08:00 UTC"), ("es", "2 de diciembre, 08:00 UTC")],
)
def test_it_writes_the_day_the_way_the_language_does(lang, expected):
    with translation.override(lang):
        assert day_and_time(MOMENT) == expected
