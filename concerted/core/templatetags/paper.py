"""The installation's paper on the organizer's pages: the commands they copy to their own
computer (`concerted reveal`, `concerted wallchart`, `concerted election credentials`)
are written out with `--paper` and it, because that computer doesn't have the server's
setting and would lay the PDF out on its own default (Letter, without a time zone)."""

from __future__ import annotations

from django import template

from concerted.core import paper

register = template.Library()


@register.simple_tag
def installation_paper() -> str:
    """This installation's paper (core/paper.py): "a4" or "letter"."""
    return paper.default()
