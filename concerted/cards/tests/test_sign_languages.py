"""The card page marks the campaign's own words with the language they are written in,
inside a sentence in the page's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_it_marks_the_unit_name_with_its_language_in_a_translated_sentence(unit):
    with translation.override("es"):
        url = reverse("cards:sign", args=[unit.slug])
    html = Client().get(url).content.decode()
    assert f'<span lang="{unit.campaign.language}">{unit.name}</span>' in html
