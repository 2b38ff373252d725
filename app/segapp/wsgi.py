"""uWSGI entry point (module = segapp.wsgi:app): wiring only."""

import logging

from . import uwsgi_env

uwsgi_env.sync()  # before anything reads its settings (prometheus_client reads them on import)

from .api import create_app  # noqa: E402

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = create_app()
