"""Loading the logged-in admin for Flask-Login."""

from sqlalchemy import select

from storefront.extensions import db, login_manager
from storefront.models import AdminUser


@login_manager.user_loader
def load_admin(session_token: str) -> AdminUser | None:
    """Sessions carry the account's session token, so a password change logs everyone out."""
    return db.session.scalar(
        select(AdminUser).where(AdminUser.session_token == session_token, AdminUser.active)
    )
