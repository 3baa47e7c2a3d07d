"""A logging filter that keeps participant data out of logs.

Django attaches the request to error records and may put its path (which can hold a
receipt code) in the message. We drop the request object and blank out paths of
participant routes."""

from __future__ import annotations

import logging
import re

# Participant routes: petitions (p), pledges (k), cards (c), surveys (s), the
# bargaining kit (b), invites (i), receipts (r), elections (e); anything after the prefix goes, and
# so does a query string (invite codes travel as ?code=).
_PARTICIPANT_PATH = re.compile(r"/(p|r|s|i|c|k|b|e)/[^\s\"']*")


class RedactParticipantData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        if isinstance(record.msg, str):
            record.msg = _PARTICIPANT_PATH.sub(r"/\1/…", record.msg)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_PARTICIPANT_PATH.sub(r"/\1/…", a) if isinstance(a, str) else a for a in args)
        return True
