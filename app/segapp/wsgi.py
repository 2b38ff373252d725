"""uWSGI entry point (module = segapp.wsgi:app): wiring only."""

import logging

from .api import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = create_app()
