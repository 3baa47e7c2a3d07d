"""The flyer PDF's one choice: the paper it is laid out on."""

from __future__ import annotations

from django import forms

from concerted.core.paper import form_field


class FlyerForm(forms.Form):
    # The installation's paper preselected; the other for a copy shop that has only it.
    paper = form_field()
