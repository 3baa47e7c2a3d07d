import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
application = get_wsgi_application()

# A blank sign page is answered before Django when an identical one was just served:
# concerted/core/fastpages.py.
from concerted.core.fastpages import FastPages  # noqa: E402

application = FastPages(application)

# Outermost: gunicorn sends whatever body a HEAD response carries (concerted/core/headbody.py).
from concerted.core.headbody import NoBodyForHead  # noqa: E402

application = NoBodyForHead(application)

# Also when gunicorn was started without concerted.gunicorn_conf: its worker logs
# ("Invalid request from ip=...") go through the same redaction as ours.
from concerted.core.logging import RedactParticipantData  # noqa: E402

for _name in ("gunicorn.error", "gunicorn.access"):
    logging.getLogger(_name).addFilter(RedactParticipantData())
