"""The admin pages: one blueprint, guarded by one access check, views split by subject."""

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from storefront.admin.access import check_access, session_lost
from storefront.admin.commands import create_admin_command

# cli_group=None puts the blueprint's commands at the top level: `flask create-admin`.
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)
bp.before_request(check_access)
bp.register_error_handler(CSRFError, session_lost)
bp.cli.add_command(create_admin_command)

# The view modules attach their routes to ``bp``; they import it from here, so they come last.
# storefront.accounts (imported by these) registers the Flask-Login user loader.
from storefront.admin import (  # noqa: E402, F401
    accounts,
    audit,
    auth,
    authors,
    content_checks,
    dashboard,
    email_previews,
    inventory,
    mail,
    messages,
    orders,
    pages,
    posts,
    products,
    reports,
    two_factor,
)
