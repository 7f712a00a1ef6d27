"""The admin pages."""

from flask import Blueprint

from storefront.admin import accounts  # noqa: F401  (registers the user loader)

bp = Blueprint("admin", __name__)
