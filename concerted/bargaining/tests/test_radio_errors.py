"""A radio group with an error names it to a screen reader, as every other form does
(_field.html): the error has an id, the fieldset's aria-describedby names it after the
help text, and each radio says aria-invalid."""

from __future__ import annotations

import re

import pytest

from .test_reports import file_report

pytestmark = pytest.mark.django_db


def test_it_ties_a_radio_groups_error_to_its_fieldset(kit):
    response = file_report(kit, tool="99", disclosed="9")
    assert response.status_code == 400
    html = response.content.decode()
    # With help text: both named, help text first.
    assert '<fieldset class="field has-error" aria-describedby="id_tool_helptext id_tool_error">' in html
    assert re.search(r'<div id="id_tool_error"><p class="error" role="alert">Select a valid choice', html)
    # Without help text: the error alone.
    assert '<fieldset class="field has-error" aria-describedby="id_disclosed_error">' in html
    assert '<div id="id_disclosed_error">' in html
    radios = re.findall(r'<input type="radio" name="tool"[^>]*>', html)
    assert radios and all('aria-invalid="true"' in radio for radio in radios)
    # A group without an error says nothing of the kind.
    assert re.search(r'<fieldset class="field"( aria-describedby="id_feeds_evaluations_helptext")?>', html)
    assert "id_feeds_evaluations_error" not in html
    assert not any("aria-invalid" in r for r in re.findall(r'<input type="radio" name="trains_ai"[^>]*>', html))
