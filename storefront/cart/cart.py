"""The cart: variant ids and quantities kept in the signed session cookie.

The cookie holds only ids and counts (never a price or a name), so nothing the browser keeps
or sends can change what an order costs: prices are read from the database every time the
cart is shown or checked out. The cookie is permanent (PERMANENT_SESSION_LIFETIME, 30 days),
so the cart survives closing the browser. It also remembers the first and the last article
that touched it (a card's add to cart, or the product page reached from a card) within
TOUCH_DAYS, each as a slug and a day number, so the order can record what led to it. Nothing
else about the reader is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import session as cookie
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storefront.models import Order, OrderLine, OrderStatus, Post, Variant

CART_KEY = "cart"
NOTES_KEY = "cart_notes"
CHECKOUT_KEY = "checkout"  # the token of the order this cart's last checkout opened
TOUCH_DAYS = 30  # an article touch older than this no longer counts for the order
# One limit per size, the same in article cards, on product pages and in the cart: far above
# what a household buys, so absurd numbers are refused before they reach arithmetic or SQL.
MAX_QUANTITY = 99
LIMIT_MESSAGE = (f"We take up to {MAX_QUANTITY} jars per size online; "
                 "please write to us for a larger order.")


class QuantityError(ValueError):
    """A quantity the customer typed that we cannot use; the message is for them."""


def parse_quantity(raw: str | None, default: int | None = None) -> int:
    """A positive whole number from a form field, or QuantityError saying what is wrong."""
    text = (raw or "").strip()
    if not text:
        if default is not None:
            return default
        raise QuantityError("Enter how many jars you would like.")
    try:
        quantity = int(text)
    except ValueError:
        raise QuantityError("Enter the quantity as a whole number, like 1 or 2.") from None
    if quantity <= 0:
        raise QuantityError("The quantity must be at least 1. To take it out, use Remove.")
    if quantity > MAX_QUANTITY:
        # The typed number is not echoed: it could be thousands of digits, and notes live in
        # the session cookie.
        raise QuantityError(LIMIT_MESSAGE)
    return quantity


def items() -> dict[int, int]:
    """Variant id -> quantity, read from the cookie; anything malformed is skipped."""
    raw = cookie.get(CART_KEY, {}).get("items", {})
    result: dict[int, int] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            try:
                variant_id, quantity = int(key), int(value)
            except (TypeError, ValueError):
                continue
            if 0 < quantity <= MAX_QUANTITY:
                result[variant_id] = quantity
    return result


def count() -> int:
    """Jars in the cart, from the cookie alone (the header badge must not cost a query)."""
    return sum(items().values())


def _today() -> int:
    return int(time.time() // 86400)


def _touch(raw) -> tuple[str, int] | None:
    """A stored touch [slug, day], or None when malformed or older than TOUCH_DAYS."""
    if not (isinstance(raw, list) and len(raw) == 2 and isinstance(raw[0], str) and raw[0]
            and isinstance(raw[1], int)):
        return None
    return (raw[0], raw[1]) if _today() - raw[1] < TOUCH_DAYS else None


def touches() -> tuple[str | None, str | None]:
    """The slugs of the first and last article that touched the cart in TOUCH_DAYS."""
    data = cookie.get(CART_KEY, {})
    first, last = _touch(data.get("first")), _touch(data.get("last"))
    legacy = data.get("from_post")  # carts saved before touches were dated
    if last is None:
        return (legacy, legacy) if isinstance(legacy, str) and legacy else (None, None)
    return (first or last)[0], last[0]


def save(new_items: dict[int, int], touch: str | None = None) -> None:
    """Write the cart back, with ``touch`` as its newest article touch if given; an empty
    cart removes the key (and its touches with it)."""
    current = cookie.get(CART_KEY, {})
    cookie.permanent = True
    if not new_items:
        cookie.pop(CART_KEY, None)
        return
    data = {"items": {str(v): q for v, q in sorted(new_items.items())}}
    first, last = _touch(current.get("first")), _touch(current.get("last"))
    if touch:
        last = (touch, _today())
        first = first or last
    if last:
        data["first"], data["last"] = list(first or last), list(last)
    cookie[CART_KEY] = data


def clear() -> None:
    cookie.pop(CART_KEY, None)
    cookie.pop(NOTES_KEY, None)
    cookie.pop(CHECKOUT_KEY, None)


def remember_checkout(order_token: str) -> None:
    """Remember the order a checkout opened, so checking out the same cart again (a second
    tab, the back button, a double submit) can resume it instead of opening another."""
    cookie[CHECKOUT_KEY] = order_token


def open_checkout_token() -> str | None:
    token = cookie.get(CHECKOUT_KEY)
    return token if isinstance(token, str) and token else None


def set_notes(notes: dict[int, str]) -> None:
    """Messages to show beside lines on the next cart page (survive the 303 redirect)."""
    cookie[NOTES_KEY] = {str(k): v for k, v in notes.items()}


def pop_notes() -> dict[int, str]:
    raw = cookie.pop(NOTES_KEY, None) or {}
    notes: dict[int, str] = {}
    for key, value in raw.items():
        try:
            notes[int(key)] = str(value)
        except (TypeError, ValueError):
            continue
    return notes


@dataclass
class CartLine:
    """One line as the cart page shows it, priced from the database."""

    variant: Variant
    quantity: int
    problem: str | None = None

    @property
    def unit_price_cents(self) -> int:
        return self.variant.price_cents

    @property
    def total_cents(self) -> int:
        return self.variant.price_cents * self.quantity


@dataclass
class CartView:
    lines: list[CartLine] = field(default_factory=list)
    missing: int = 0  # lines whose variant no longer exists at all

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def currency(self) -> str:
        return self.lines[0].variant.currency if self.lines else "usd"

    @property
    def problems(self) -> list[CartLine]:
        return [line for line in self.lines if line.problem]

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def line_problem(variant: Variant, quantity: int, held: int = 0) -> str | None:
    """Why this line cannot be bought as it stands, or None.

    A product that was unpublished or sold out since it went into the cart is flagged, never
    silently dropped: the customer decides what to do with it. ``held`` jars are reserved by
    this cart's own open checkout, so they count as the customer's, not as sold.
    """
    available = variant.available + held
    if not variant.product.active:
        return "This product is no longer sold. Please remove it."
    if available <= 0:
        return "Sold out since you added it. Please remove it."
    if quantity > available:
        return f"Only {available} left; please lower the quantity."
    return None


def own_holds(db_session: Session) -> dict[int, int]:
    """Jars held by this cart's own open checkout (variant id -> quantity), if it has one."""
    token = open_checkout_token()
    if not token:
        return {}
    lines = db_session.execute(
        select(OrderLine.variant_id, OrderLine.quantity).join(Order)
        .where(Order.token == token, Order.status == OrderStatus.PENDING)
    ).all()
    return {variant_id: quantity for variant_id, quantity in lines if variant_id}


def load(db_session: Session, cart_items: dict[int, int] | None = None) -> CartView:
    """The cart's lines with live prices and stock, in one query whatever its size."""
    wanted = items() if cart_items is None else cart_items
    if not wanted:
        return CartView()
    variants = db_session.scalars(
        select(Variant).where(Variant.id.in_(wanted)).options(joinedload(Variant.product))
        .order_by(Variant.product_id, Variant.position, Variant.id)
    ).unique().all()
    held = own_holds(db_session) if cart_items is None else {}
    view = CartView(missing=len(wanted) - len(variants))
    for variant in variants:
        quantity = wanted[variant.id]
        problem = line_problem(variant, quantity, held.get(variant.id, 0))
        view.lines.append(CartLine(variant, quantity, problem))
    return view


def touch_post_ids(db_session: Session) -> tuple[int | None, int | None]:
    """The ids of the first and last touching articles that still exist and are public."""
    first, last = touches()
    if last is None:
        return None, None
    posts = db_session.scalars(select(Post).where(Post.slug.in_({first, last}))).all()
    ids = {post.slug: post.id for post in posts if post.is_public()}
    return ids.get(first), ids.get(last)
