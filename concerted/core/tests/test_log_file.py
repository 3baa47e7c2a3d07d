"""CONCERTED_LOG_FILE is private like the app's other files, and a request for a host
the site doesn't serve is logged in one line, without the sender's Host value."""

from __future__ import annotations

import io
import logging
import stat

from django.test import Client, override_settings

from concerted.core.logging import PrivateFileHandler, RedactParticipantData
from concerted.ops import doctor


def test_the_log_file_is_made_private_and_doctor_checks_it(tmp_path):
    made, older = tmp_path / "app.log", tmp_path / "older.log"
    older.write_text("")
    older.chmod(0o644)
    for path in (made, older):
        handler = PrivateFileHandler(str(path))
        handler.emit(logging.LogRecord("concerted", logging.ERROR, __file__, 1, "a line", (), None))
        handler.close()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    made.chmod(0o644)
    with override_settings(LOG_FILE=str(made), INSTALL_FILE=""):
        assert any(str(made) in problem for problem in doctor.file_modes(doctor.Context()))


def test_a_request_for_another_host_is_one_line_without_its_value(db):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactParticipantData())
    logger = logging.getLogger("django.security.DisallowedHost")
    logger.addHandler(handler)
    try:
        response = Client().get("/privacy/", HTTP_HOST="chosen-by-the-sender.example")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 400
    logged = out.getvalue()
    assert logged.count("\n") == 1 and "not in CONCERTED_ALLOWED_HOSTS" in logged
    assert "chosen-by-the-sender" not in logged and "Traceback" not in logged
