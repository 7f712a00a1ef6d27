"""The contact form on /pages/contact: a message reaches the owners and is never lost.

The page itself is a shared, cached page, so the form carries no CSRF token: like the cart,
its POST is guarded by Origin / Sec-Fetch-Site. Each message is stored (owners read them in the
admin) and emailed to every active owner through the outbox, in one transaction. Spam is kept
down by a honeypot field people never see and a per-address limit (CONTACT_LIMIT). On any
error, including the limit, the form comes back with the message beside the field and what the
customer typed still in it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, make_response, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from storefront.cart.origin_check import same_origin_only
from storefront.extensions import db, limiter
from storefront.models import AdminUser, ContactMessage, Page, Role
from storefront.outbox import queue_email

bp = Blueprint("contact", __name__)
logger = logging.getLogger(__name__)


class ContactForm(FlaskForm):
    class Meta:
        csrf = False  # a cached page cannot carry a per-visitor token; the origin is checked

    name = StringField("Your name", validators=[DataRequired("Tell us your name."),
                                                Length(max=120)])
    email = EmailField("Your email", validators=[
        DataRequired("We need an address to answer you."),
        Email("Enter an email address like you@example.com.", check_deliverability=False),
        Length(max=254)])
    order_number = StringField("Order number (if it is about an order)",
                               validators=[Optional(), Length(max=40)])
    message = TextAreaField("Message", validators=[
        DataRequired("Write your message."),
        Length(min=10, max=5000, message="Write between 10 and 5,000 characters.")])
    # The honeypot: hidden from people (and from screen readers), filled in by form robots.
    website = StringField("Leave this empty", validators=[Optional()])


def render_contact_page(form: ContactForm, status: int, notice: str | None = None):
    from storefront.site.views import render_page

    page = db.session.scalars(select(Page).where(Page.slug == "contact")).first()
    if page is None:
        page = Page(slug="contact", title="Contact", body="")
    html = render_page(page, contact_form=form, contact_notice=notice)
    return html, status, {"Cache-Control": "no-store"}


def _limit() -> str:
    return current_app.config["CONTACT_LIMIT"]


def _limited(_limit_hit):
    form = ContactForm()
    form.validate()
    notice = ("You have sent several messages in a short time. Your message is below, unsent: "
              "please try again later, or write to us by email.")
    return make_response(*render_contact_page(form, 429, notice))


@bp.post("/contact")
@same_origin_only
@limiter.limit(_limit, on_breach=_limited)
def send():
    form = ContactForm()
    if not form.validate():
        return render_contact_page(form, 422)
    if form.website.data:
        logger.info("contact form: honeypot filled, message dropped")
        return redirect(url_for("contact.sent"), code=303)
    message = ContactMessage(name=form.name.data.strip(), email=form.email.data.strip(),
                             order_number=(form.order_number.data or "").strip(),
                             message=form.message.data.replace("\r\n", "\n").strip())
    db.session.add(message)
    owners = db.session.scalars(select(AdminUser.email).where(
        AdminUser.role == Role.OWNER, AdminUser.active)).all()
    if owners:
        about = f" about order {message.order_number}" if message.order_number else ""
        queue_email(list(owners), f"Contact form: {message.name}{about}",
                    render_template("mail/contact_message.txt", message=message),
                    kind="contact_message")
    db.session.commit()
    return redirect(url_for("contact.sent"), code=303)


@bp.get("/contact/sent")
def sent():
    """Where a sent message lands: a private page, so the shared contact page stays cacheable."""
    return render_template("site/contact_sent.html"), 200, {"Cache-Control": "no-store"}
