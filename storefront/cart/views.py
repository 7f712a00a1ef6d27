"""The cart pages."""

from flask import Blueprint

bp = Blueprint("cart", __name__)


@bp.get("/cart")
def show():
    return "cart"
