"""How the shared field template (concerted/templates/_field.html) renders a ballot's
choices: a group is a fieldset whose legend is the question, each option with a label
of its own; a single tick box stays one label; other fields are unchanged."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from concerted.elections.forms import VoteForm

pytestmark = pytest.mark.django_db


def field_html(form: forms.Form, name: str) -> str:
    return render_to_string("_field.html", {"field": form[name]})


def test_it_renders_choose_up_to_k_as_a_fieldset_of_tick_boxes_without_nested_labels(seats):
    form = VoteForm({"code": "x", "choice": ["0", "9"]}, election=seats)
    assert not form.is_valid()
    html = field_html(form, "choice")
    assert html.count("<fieldset") == 1 and html.count("<legend>") == 1
    assert "<legend><strong>Who should be stewards?</strong></legend>" in html
    labels = re.findall(r"<label\b[^>]*>(.*?)</label>", html, re.S)
    assert len(labels) == 3
    for i, (label, option) in enumerate(zip(labels, ["Ana", "Bo", "Cy"], strict=True)):
        assert "<label" not in label, "a label inside a label"
        assert re.fullmatch(rf'<input type="checkbox" name="choice" value="{i}"[^>]*> <span>{option}</span>', label)
    assert 'for="id_choice_0"' in html and 'for=""' not in html
    # Help text and the error both describe the group, and both ids exist.
    described = re.search(r'<fieldset[^>]*aria-describedby="([^"]+)"', html).group(1).split()
    assert described == ["id_choice_helptext", "id_choice_error"]
    assert 'id="id_choice_helptext">Choose up to 2.</p>' in html
    assert re.search(r'<div id="id_choice_error"><p class="error" role="alert">', html)


def test_it_keeps_a_single_tick_box_one_label_with_its_help_described(open_election):
    form = VoteForm(election=open_election.election)
    html = field_html(form, "server_encrypt")
    assert "<fieldset" not in html
    assert html.count("<label") == 1
    assert re.search(r'<label class="check"><input type="checkbox" name="server_encrypt"[^>]*> Let this server', html)
    assert 'aria-describedby="id_server_encrypt_helptext"' in html and 'id="id_server_encrypt_helptext"' in html


def test_it_renders_other_fields_as_before(open_election):
    form = VoteForm({"code": "nonsense"}, election=open_election.election)
    assert not form.is_valid()
    html = field_html(form, "code")
    assert '<label for="id_code">Your voting code <span class="req">(required)</span></label>' in html
    assert re.search(r'<input type="text" name="code" value="nonsense"[^>]*aria-describedby="id_code_helptext', html)
    assert 'id="id_code_helptext"' in html and 'id="id_code_error"' in html
    select = forms.Form()
    select.fields["pick"] = forms.ChoiceField(label="Pick", choices=[("a", "A")])
    html = field_html(select, "pick")
    assert '<label for="id_pick">Pick' in html and "<select" in html and "<fieldset" not in html


# What `makemessages` extracts from Python: xgettext's own keywords and the ones Django
# adds. A string marked under any other name (`gettext_lazy as _l`) never reaches the
# catalogs, so Spanish, German and Portuguese pages showed it in English.
EXTRACTED = {"_", "gettext", "ngettext", "gettext_noop", "gettext_lazy", "ngettext_lazy", "pgettext", "npgettext"}
EXTRACTED |= {"pgettext_lazy", "npgettext_lazy"}


def test_it_marks_strings_under_names_makemessages_extracts():
    app = Path(__file__).resolve().parent.parent
    wrong = []
    for path in app.rglob("*.py"):
        if "tests" in path.relative_to(app).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                wrong += [
                    f"{path.name}: {a.name} as {a.asname}" for a in node.names if (a.asname or a.name) not in EXTRACTED
                ]
    assert not wrong, wrong


@pytest.mark.parametrize("language", ["es", "de", "pt"])
def test_it_marks_the_voting_code_label_and_help_for_translation(open_election, language):
    """The strings are lazy: they follow the language of the request that shows them."""
    field = VoteForm.base_fields["code"]
    offer = VoteForm.base_fields["server_encrypt"]
    for text in (field.label, field.help_text, offer.label, offer.help_text):
        assert type(text).__name__ == "__proxy__", text
    with translation.override(language):
        form = VoteForm(election=open_election.election)
        assert str(form.fields["choice"].choices[0][1]) != "Yes"
