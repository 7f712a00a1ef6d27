"""The blog pages."""

from flask import Blueprint

bp = Blueprint("blog", __name__, url_prefix="/blog")


@bp.get("/")
def index():
    return "blog"
