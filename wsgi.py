"""The shop as a WSGI app, found here by `gunicorn -c gunicorn.conf.py` and by every
`.venv/bin/flask ...` command run from this folder (Flask looks for ``wsgi.py`` when
FLASK_APP is unset).

A configuration the shop refuses (an unknown STOREFRONT_ENV, production settings missing) is
printed as the list of what to set, and the process exits with status 2: an operator reads
what to do, not a traceback.
"""

import sys

from storefront import create_app
from storefront.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    print(f"Error: {error}", file=sys.stderr)
    raise SystemExit(2) from None
