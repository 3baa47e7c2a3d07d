"""Logging that keeps participant data and client addresses out of every log.

Django attaches the request to error records and may put its path (which can hold a
receipt code) in the message; gunicorn names the client address of every malformed
request. The filter drops the request object, blanks out paths of participant routes
and replaces anything that looks like an IP address, in the message, its arguments and
the formatted traceback."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

# Participant routes: petitions (p), pledges (k), cards (c), surveys (s), the
# bargaining kit (b), invites (i), receipts (r), elections (e), the home page's
# open-by-code field (open), stop links in committee messages (stop); anything after the prefix goes, and so does a query string
# (invite codes travel as ?code=).
_PARTICIPANT_PATH = re.compile(r"/(p|r|s|i|c|k|b|e|open|stop)/[^\s\"']*")
# IPv4 (also inside ::ffff:a.b.c.d) and IPv6, full or with "::".
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|[0-9A-Fa-f:]*::[0-9A-Fa-f:.]*)(?![\w:])")
ADDRESS = "[address]"


def redact(text: str) -> str:
    text = _PARTICIPANT_PATH.sub(r"/\1/…", text)
    text = _IPV4.sub(ADDRESS, text)
    return _IPV6.sub(ADDRESS, text)


class RedactParticipantData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.security.DisallowedHost":
            # The Host header is whatever the sender chose (a probe, a forged line): one line
            # saying what happened, without its value and without a traceback.
            record.msg, record.args = "Refused a request for a host not in CONCERTED_ALLOWED_HOSTS.", ()
            record.exc_info, record.exc_text = None, None
        if hasattr(record, "request"):
            record.request = None
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _plain(v) for k, v in record.args.items()}
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_plain(a) for a in args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class PrivateFileHandler(logging.FileHandler):
    """CONCERTED_LOG_FILE, readable by its owner only (0600), like every file the app keeps."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)  # a file made before, or under another umask
        return os.fdopen(fd, self.mode if "a" in self.mode else "a", encoding=self.encoding, errors=self.errors)


def _plain(value: Any) -> Any:
    # Objects are formatted with str() later, after the filter ran: redact that text now.
    if isinstance(value, (int, float)) or value is None:
        return value
    return redact(value if isinstance(value, str) else str(value))


class AddresslessGunicornLogger(GunicornLogger):
    """gunicorn's logger with no access log and every error-log record redacted."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactParticipantData) for f in log.filters):
                log.addFilter(RedactParticipantData())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None
