"""Pages about the site rather than the shop: health check, uploaded media, robots, sitemap."""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from sqlalchemy import text

from storefront.extensions import db

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz():
    """For load balancers: 200 while the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "take me out of rotation"
        db.session.rollback()
        return {"status": "unavailable", "database": "down"}, 503
    return {"status": "ok", "database": "up"}


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Product images, stored outside static/ so uploads never mix with the code's assets."""
    root = Path(current_app.config["MEDIA_ROOT"])
    if not (root / filename).is_file():
        abort(404)
    response = send_from_directory(root, filename, max_age=31536000)
    response.cache_control.immutable = True
    return response
