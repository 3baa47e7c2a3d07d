import logging
import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
try:
    settings.SECRET_KEY  # noqa: B018  loads the settings module, and nothing else
except ImproperlyConfigured as exc:
    # A bad CONCERTED_* value: the one line naming it (docs/OPERATIONS.md), not a
    # traceback in every worker. Only the settings module's own refusals land here; an
    # error anywhere later (an app, a URLconf) keeps its traceback. gunicorn stops when a
    # worker exits with 3 ("Worker failed to boot") rather than starting it again.
    sys.stderr.write(f"concerted: {exc}\n")
    sys.stderr.flush()
    raise SystemExit(3) from None
application = get_wsgi_application()

# The zone this server reads deadlines and release times in, for `concerted tick` to
# check its own against (concerted/core/serverzone.py).
from concerted.core import serverzone  # noqa: E402

serverzone.record()

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
