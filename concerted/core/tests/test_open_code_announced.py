"""The home page's "open by code" box, as a screen reader and a low-vision phone user
meet a wrong code: the reloaded page moves the focus to the error (so it is read out and
in view at 200% zoom), the box says it is invalid and names the error, and still holds
what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_announces_a_wrong_code_and_keeps_it_in_the_box(client):
    for typed, message in (("zzzz", "Nothing open has that code."), ("   ", "Type the code from the flyer")):
        response = client.get(reverse("open"), {"code": typed})
        assert response.status_code == 404
        html = response.content.decode()
        assert f'<div class="error-box" role="alert" tabindex="-1" autofocus id="id_code_error"><p>{message}' in html
        assert html.count("autofocus") == 1
        assert f'value="{typed}"' in html
        assert 'aria-describedby="id_code_help id_code_error" aria-invalid="true">' in html


def test_the_home_page_has_no_error_until_a_code_is_tried(client):
    html = client.get("/").content.decode()
    assert 'aria-describedby="id_code_help">' in html
    assert "aria-invalid" not in html and "autofocus" not in html and 'role="alert"' not in html
