"""What `celery -A tools.executors.worker worker` loads: the app, configured from this machine's settings, and
logging that never prints a credential (tools/logsafe.py)."""

from __future__ import annotations

import logging

from tools.executors.celery_app import make_app
from tools.logsafe import configure_logging
from tools.settings import get_settings

settings = get_settings()
configure_logging(logging.INFO, settings=settings)
app = make_app(settings)
