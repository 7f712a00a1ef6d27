"""The admin pages: one blueprint, guarded by one access check, views split by subject."""

from flask import Blueprint

from storefront.admin.access import check_access
from storefront.admin.commands import create_admin_command

# cli_group=None puts the blueprint's commands at the top level: `flask create-admin`.
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)
bp.before_request(check_access)
bp.cli.add_command(create_admin_command)

# The view modules attach their routes to ``bp``; they import it from here, so they come last.
# storefront.accounts (imported by these) registers the Flask-Login user loader.
from storefront.admin import (  # noqa: E402, F401
    accounts,
    audit,
    auth,
    dashboard,
    inventory,
    mail,
    orders,
    posts,
    products,
    two_factor,
)
