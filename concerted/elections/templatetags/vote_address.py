"""The vote page's public address on the organizer's pages, and what the `concerted
election credentials` command is written out with, ready to paste into a terminal."""

from __future__ import annotations

import shlex

from django import template

from concerted.elections.models import Election
from concerted.elections.voting_cards import public_vote_url

register = template.Library()


@register.simple_tag
def vote_url(election: Election) -> str:
    """The address members type or scan (core/public.py), never the one this page was
    opened on: an organizer on localhost or an SSH tunnel must not print that."""
    return public_vote_url(election)


@register.filter
def shell_quoted(text: object) -> str:
    """One shell word, whatever the text holds: a title with quotes or $(…) pasted into
    the committee's terminal stays a title."""
    return shlex.quote(str(text))
