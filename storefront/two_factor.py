"""Two-factor codes for admin accounts: time-based codes (TOTP, RFC 6238) from any
authenticator app, and one-time recovery codes for a lost phone.

Everything runs in the shop: pyotp computes the codes and segno draws the QR code as an
inline SVG, so no secret ever leaves for a QR or SMS service. A code is accepted once (the
time step is remembered) and one step either side of now, for clocks a little apart.
Services take the caller's database session and never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storefront.models import AdminSettings, AdminUser, RecoveryCode, Role, utcnow

RECOVERY_CODE_COUNT = 10
SETTINGS_ID = 1
_TOTP_CODE = re.compile(r"\d{6}")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_code_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data URI, for an ``<img>`` (the CSP allows data:)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    current = int(now // totp.interval)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(session: Session, user: AdminUser, code: str,
               secret: str | None = None, now: float | None = None) -> bool:
    """True if ``code`` is a current authenticator code for ``user`` (or for ``secret``, while
    setting up) not used before, or one of the account's unused recovery codes, which is then
    spent. The caller commits, so a code is used up only with the login it completes."""
    code = _normalise(code)
    secret = secret or user.totp_secret
    if secret and _TOTP_CODE.fullmatch(code):
        step = _matching_step(secret, code, time.time() if now is None else now)
        if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            return False
        user.totp_last_step = step
        return True
    if not code:
        return False
    recovery = session.scalar(select(RecoveryCode).where(
        RecoveryCode.admin_user_id == user.id, RecoveryCode.used_at.is_(None),
        RecoveryCode.code_hash == _hash(code)))
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_recovery_codes(session: Session, user: AdminUser) -> list[str]:
    """Replace the account's recovery codes with new ones; returns them to show once."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.admin_user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}"
             for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(admin_user_id=user.id, code_hash=_hash(_normalise(code)))
                    for code in codes)
    return codes


def unused_recovery_codes(session: Session, user: AdminUser) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.admin_user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def enable(session: Session, user: AdminUser, secret: str) -> list[str]:
    """Turn codes on with a confirmed ``secret``; returns the new recovery codes."""
    user.totp_secret = secret
    user.totp_enabled = True
    return new_recovery_codes(session, user)


def disable(session: Session, user: AdminUser) -> None:
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.admin_user_id == user.id))


def settings(session: Session) -> AdminSettings:
    """The one settings row (created on first change; before that, the defaults)."""
    return session.get(AdminSettings, SETTINGS_ID) or AdminSettings(
        id=SETTINGS_ID, two_factor_required=False)


def required_for(session: Session, user: AdminUser, owners_must: bool) -> bool:
    """Must this account use codes? When an owner requires them of everyone, or for owners
    when production says so (REQUIRE_OWNER_TWO_FACTOR)."""
    if owners_must and user.role == Role.OWNER:
        return True
    return settings(session).two_factor_required
