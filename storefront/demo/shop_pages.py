"""Demo texts for the pages every shop owes its customers.

They are starting points a brand must adapt, and each says so at the top: they describe how this
software behaves (what it stores, which cookie it sets, who processes payments), not the legal
position of any business, and give no legal advice. Shipping and returns figures are not written
here: those pages show the terms from configuration above the text.
"""

from __future__ import annotations

_TEMPLATE = ("> **Template:** this page is a starting point written for the demo shop. Adapt it "
             "to your business, and have it checked by someone qualified where the law requires, "
             "before you rely on it.\n\n")

_ABOUT = _TEMPLATE + """\
Royal Warrior is a small brand that makes one thing: Royal Warrior+, a magnesium cream with hemp
seed oil, made in small batches for massage and everyday skin care.

We started writing about magnesium because most of what we read about it online said more than
the studies do. Our articles cite their sources, say what a study measured and what it did not,
and carry a note that they are education, not medical advice. How we do that is explained on the
[editorial process](/pages/editorial-process) page.

The cream is a cosmetic. It is not a medicine and is not meant to diagnose, treat, cure or prevent
any disease.
"""

_SHIPPING = _TEMPLATE + """\
Orders are packed by hand. Once your parcel leaves us, you receive an email with the carrier and a
tracking number, and the order page linked from your confirmation email shows the same.

If a parcel is late, lost or arrives damaged, [write to us](/pages/contact) with your order number
and we will sort it out with you.
"""

_RETURNS = _TEMPLATE + """\
If a jar is not right for you, you can send it back unopened within the window shown above. Write
to us first through the [contact page](/pages/contact) with your order number, so we can tell you
where to send it.

Once the jar arrives, we refund the price of the jar to the card you paid with. Your bank may take
a few days to show it. If a jar arrives damaged or wrong, we replace it or refund it, and we pay
the return postage.

Where the law of your country gives you more rights than this page, those rights apply.
"""

_CONTACT = _TEMPLATE + """\
Questions about an order, the cream or one of our articles? Write to us with the form below.
If it is about an order, add the order number from your confirmation email. We usually answer
within two business days, by email.
"""

_PRIVACY = _TEMPLATE + """\
This page says what this shop stores about you, why, and who else sees it.

## When you browse

Pages are served without a cookie. When you add something to the cart, the shop sets a cookie
holding the cart's contents (ids and quantities, never a price) and, if you came from one of our
articles, the first and the last of them within 30 days; and a second small cookie with the
number of items, which the page uses to show the cart badge. They last 30 days, so your cart
survives closing the browser. If your browser sends Global Privacy Control or Do Not Track, the
cart does not remember the article. There are no advertising or third-party trackers on this
shop.

## What we count about our articles

To learn which articles help readers, an article page tells the shop, without a cookie, that it
was viewed, read to the end and whether a product card in it was clicked. The shop keeps only
daily totals per article: views, readers, reads, clicks, and the orders and revenue that
followed. To count a reader once a day, it mixes your address and browser name with a random
value made that day and kept only in memory; the value is thrown away the next day, and your
address is never stored. No one, including us, can tell from these totals who read what, so
they need no consent.

## When you order

Payment is handled by Stripe, on Stripe's own checkout page; we never see or store your card
number. From Stripe we receive and keep what we need to send and support your order: your name,
email address, shipping address, what you bought and what you paid. We use your email address to
send the order confirmation, shipping and refund messages, and to answer you.

## When you write to us

Messages sent through the contact form are stored with your name and email address, so that our
team can answer them.

## Your choices

You can ask us what we hold about you, or ask us to correct or delete it, through the
[contact page](/pages/contact). Some order records must be kept for accounting for the time the
law sets.
"""

_TERMS = _TEMPLATE + """\
These terms apply when you buy from this shop.

- **Prices** are shown on each product page and in the cart, and are charged in the shop's
  currency. Shipping is shown at checkout before you pay.
- **Your order** is accepted when the payment succeeds and you receive a confirmation email. If a
  size sells out while you pay, we tell you and do not charge you for it.
- **Delivery and returns** are described on the [shipping](/pages/shipping) and
  [returns](/pages/returns) pages.
- **Our articles** are education, not medical advice. Talk to a clinician about your health.
- **The cream** is a cosmetic for external use. Read the safety notes on the product page before
  use.
"""

SHOP_PAGES: list[dict] = [
    {"slug": "about", "title": "About Royal Warrior", "body": _ABOUT},
    {"slug": "shipping", "title": "Shipping", "body": _SHIPPING},
    {"slug": "returns", "title": "Returns", "body": _RETURNS},
    {"slug": "contact", "title": "Contact us", "body": _CONTACT},
    {"slug": "privacy", "title": "Privacy", "body": _PRIVACY},
    {"slug": "terms", "title": "Terms of sale", "body": _TERMS},
]
