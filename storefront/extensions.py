"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from flask import request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from storefront.models.base import Base, UTCDateTime

db = SQLAlchemy(model_class=Base)


def _render_item(type_: str, obj: object, _context: object) -> str | bool:
    """Write our UTC column type into migrations as the plain type it stores as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


migrate = Migrate(compare_type=True, render_as_batch=True, render_item=_render_item)
compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


# Blueprints with rate limits (the back office's login, the contact form); the shop's pages
# skip the check entirely, so browsing costs no limiter round trip. The article beacon has its
# own limit, checked before Flask (storefront.reports.beacon).
LIMITED_BLUEPRINTS = {"admin", "contact"}


@limiter.request_filter
def _not_limited() -> bool:
    return request.blueprint not in LIMITED_BLUEPRINTS
