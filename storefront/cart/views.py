"""The cart pages: add, show, change, remove. Plain HTML forms; every answer is a 303.

Views parse what the browser sent and render; the stock rules live in storefront.inventory
and the cart's shape in storefront.cart.cart. Prices are never read from the form.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from storefront import orders
from storefront.cart import cart
from storefront.cart.origin_check import same_origin_only
from storefront.extensions import db
from storefront.limits import MAX_ORDER_CENTS
from storefront.models import Variant
from storefront.reports import attribution
from storefront.reports.counters import counters

bp = Blueprint("cart", __name__)


# Not secret and not trusted: it only tells static/js/cart.js whether to ask /cart.json for
# the badge, so visitors with an empty cart cost the shop no request at all.
COUNT_COOKIE = "cart_count"


@bp.after_app_request
def _share_cart_count(response: Response) -> Response:
    """Keep the count cookie in step whenever the cart or checkout wrote the session.

    Other pages never touch the session here: reading it adds ``Vary: Cookie``."""
    if request.blueprint in ("cart", "checkout") and session.modified:
        count = cart.count()
        if count:
            response.set_cookie(COUNT_COOKIE, str(count), samesite="Lax",
                                max_age=current_app.permanent_session_lifetime,
                                secure=current_app.config["SESSION_COOKIE_SECURE"])
        elif COUNT_COOKIE in request.cookies:
            response.delete_cookie(COUNT_COOKIE, samesite="Lax")
    return response


@bp.get("/cart.json")
def summary():
    """The cart for the page's script: the badge count and the jars of each size."""
    response = jsonify(count=cart.count(), items={str(v): q for v, q in cart.items().items()})
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _safe_next(target: str | None) -> str | None:
    """A local path to go back to, or None: never another host (no open redirect), and never
    a control character, which would split or break the Location header."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if not target.isprintable():
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _back(default: str | None = None):
    return redirect(_safe_next(request.form.get("next")) or default or url_for("cart.show"),
                    code=303)


# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number from a form is no variant,
# and must not reach the database, where it is an overflow error (a 500), not a miss.
MAX_ID = 2**31 - 1


def _variant_id() -> int | None:
    try:
        variant_id = int(request.form.get("variant_id", ""))
    except ValueError:
        return None
    return variant_id if 0 < variant_id <= MAX_ID else None


def _over_order_limit(wanted: dict[int, int]) -> bool:
    """Would these quantities at today's prices cost more than one order may?"""
    return cart.load(db.session, wanted).subtotal_cents > MAX_ORDER_CENTS


@bp.get("/cart")
def show():
    """The cart: lines with sizes and live prices, problems flagged beside their line."""
    view = cart.load(db.session)
    notes = cart.pop_notes()
    if view.missing:
        kept = {line.variant.id: line.quantity for line in view.lines}
        cart.save(kept)
        flash("Something in your cart is no longer sold and was taken out.", "warning")
    for line in view.lines:
        if line.variant.id in notes:
            line.problem = notes[line.variant.id]
    return render_template("cart/show.html", view=view,
                           max_quantity=cart.MAX_QUANTITY)


@bp.post("/cart/add")
@same_origin_only
def add():
    """Add a size to the cart (from a product page or a card inside an article)."""
    variant_id = _variant_id()
    variant = db.session.get(Variant, variant_id) if variant_id is not None else None
    if variant is None or not variant.product.active:
        flash("Sorry, that product is not available.", "error")
        return _back()
    try:
        quantity = cart.parse_quantity(request.form.get("quantity"), default=1)
    except cart.QuantityError as error:
        flash(str(error), "error")
        return _back()
    items = cart.items()
    wanted = items.get(variant.id, 0) + quantity
    name = f"{variant.product.name} ({variant.label})"
    if variant.available <= 0:
        flash(f"Sorry, {name} is sold out.", "error")
        return _back()
    if wanted > cart.MAX_QUANTITY:
        flash(cart.LIMIT_MESSAGE, "error")
        return _back()
    if wanted > variant.available:
        in_cart = f" and {items[variant.id]} are already in your cart" if variant.id in items \
            else ""
        flash(f"Only {variant.available} of {name} left{in_cart}; nothing was added.", "error")
        if variant.id in items:
            cart.set_notes({variant.id: f"Only {variant.available} left."})
        return _back()
    if _over_order_limit({**items, variant.id: wanted}):
        flash(orders.order_too_large(variant.currency) + " Nothing was added.", "error")
        return _back()
    items[variant.id] = wanted
    article = attribution.article_of(request.form.get("from_post"))
    cart.save(items, touch=None if attribution.declines_tracking() else article)
    if article:
        counters(current_app).record(article, "add_to_cart")
    flash(f"Added {quantity} × {name} to your cart.", "success")
    return _back()


@bp.post("/cart/update")
@same_origin_only
def update():
    """Change one line's quantity; a bad number leaves the cart as it was and says why."""
    variant_id = _variant_id()
    items = cart.items()
    if variant_id not in items:
        flash("That item is no longer in your cart.", "error")
        return redirect(url_for("cart.show"), code=303)
    try:
        quantity = cart.parse_quantity(request.form.get("quantity"))
    except cart.QuantityError as error:
        cart.set_notes({variant_id: str(error)})
        return redirect(url_for("cart.show"), code=303)
    variant = db.session.get(Variant, variant_id)
    if variant is not None and quantity > variant.available:
        left = max(variant.available, 0)
        cart.set_notes({variant_id: f"Only {left} left; you asked for {quantity}."
                        if left else "This size has sold out. Please remove it."})
        return redirect(url_for("cart.show"), code=303)
    if variant is not None and _over_order_limit({**items, variant_id: quantity}):
        cart.set_notes({variant_id: orders.order_too_large(variant.currency)})
        return redirect(url_for("cart.show"), code=303)
    items[variant_id] = quantity
    cart.save(items)
    flash("Your cart was updated.", "success")
    return redirect(url_for("cart.show"), code=303)


@bp.post("/cart/remove")
@same_origin_only
def remove():
    """Take a line out of the cart."""
    variant_id = _variant_id()
    items = cart.items()
    if items.pop(variant_id, None) is not None:
        cart.save(items)
        flash("The item was removed from your cart.", "success")
    return redirect(url_for("cart.show"), code=303)
