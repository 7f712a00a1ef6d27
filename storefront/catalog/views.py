"""The catalog pages."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)


@bp.get("/")
def home():
    return "home"


@bp.get("/products/")
def product_list():
    return "products"
