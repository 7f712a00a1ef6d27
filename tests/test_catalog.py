"""Home, product list and product pages: what a shopper reads and the form they submit."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from storefront.models import ProductImage, utcnow
from tests.conftest import make_post, make_product


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def _add_images(session, product) -> None:
    for position, key in enumerate(("jar", "texture", "lid")):
        product.images.append(ProductImage(key=f"{product.slug}-{key}", alt=f"The {key}",
                                           width=1200, height=1200, widths="320,640,960",
                                           position=position))
    session.commit()


def test_home_shows_hero_latest_articles_and_promise(client, session):
    product = make_product(variants=[("RW-50", "50 ml jar", 2400, 10),
                                     ("RW-200", "200 ml jar", 6400, 4)])
    _add_images(session, product)
    for n in range(4):
        make_post(f"post-{n}", f"Article number {n}", body="Text.",
                  published_at=utcnow() - timedelta(days=10 - n))
    make_post("draft", "Draft article", published=False)
    html = client.get("/").get_data(as_text=True)
    assert "<h1" in html and html.count("<h1") == 1
    assert "Royal Warrior+ Cream" in html
    assert "$24.00–$64.00" in html
    assert 'href="/products/royal-warrior-cream"' in html
    assert 'src="/media/products/royal-warrior-cream-jar-640.webp"' in html
    assert 'fetchpriority="high"' in html
    assert "Article number 3" in html and "Article number 1" in html
    assert "Article number 0" not in html  # only the latest three
    assert "Draft article" not in html
    assert "Evidence first" in html  # the promise


def test_home_without_products_still_renders(client, session):
    response = client.get("/")
    assert response.status_code == 200
    assert "opens soon" in response.get_data(as_text=True)


def test_product_list_shows_active_products_only(client, session):
    make_product()
    make_product("old-balm", "Old Balm", variants=[("OB-1", "30 ml", 1500, 3)], active=False)
    html = client.get("/products/").get_data(as_text=True)
    assert "Royal Warrior+ Cream" in html
    assert "Old Balm" not in html
    assert "$24.00–$39.00" in html


def test_product_page_sizes_prices_and_availability(client, session):
    make_product(variants=[("RW-50", "50 ml jar", 2400, 10), ("RW-100", "100 ml jar", 3900, 2),
                           ("RW-200", "200 ml jar", 6400, 0)])
    html = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    assert "<h1>Royal Warrior+ Cream</h1>" in html
    assert "50 ml jar — $24.00 — <span class=\"stock stock-ok\">In stock</span>" in html
    assert "100 ml jar — $39.00 — <span class=\"stock stock-low\">Only 2 left</span>" in html
    assert "200 ml jar — $64.00 — <span class=\"stock stock-out\">Sold out</span>" in html
    radios = re.findall(r'<input type="radio" name="variant_id" value="(\d+)"[^>]*>', html)
    assert len(radios) == 3
    sold_out = re.search(r'<input type="radio" name="variant_id" value="3"[^>]*>', html).group(0)
    assert "disabled" in sold_out and "checked" not in sold_out
    cheapest = re.search(r'<input type="radio" name="variant_id" value="1"[^>]*>', html).group(0)
    assert "checked" in cheapest
    assert "<strong>magnesium</strong>" in html  # Markdown description


def test_add_to_cart_form_posts_to_the_cart_without_a_token(client, session):
    make_product()
    html = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    form = re.search(r'<form method="post" class="add-to-cart"[^>]*>.*?</form>', html, re.S)
    assert form
    form = form.group(0)
    assert "csrf_token" not in form  # shared page: guarded by Origin (test_csrf_origin.py)
    assert re.search(r'<input type="number" name="quantity"[^>]*min="1"[^>]*value="1"', form)
    assert "Quantity" in form
    assert "Add to cart" in form
    if "cart.add" in client.application.view_functions:
        assert 'action="/cart/add"' in form
        assert "Online ordering opens soon" not in form
    else:
        assert "disabled>Add to cart" in form and "Online ordering opens soon" in form


def test_a_from_parameter_is_ignored_and_does_not_split_the_page_cache(client, session):
    """The article comes in the fragment (storefront.reports.attribution), never the query."""
    make_product()
    plain = client.get("/products/royal-warrior-cream")
    html = client.get('/products/royal-warrior-cream?from="><script>').get_data(as_text=True)
    assert 'name="from_post"' not in html
    assert "<script>" not in html
    assert html == plain.get_data(as_text=True)
    assert client.application.extensions["page_cache"].memory.__len__() == 1


def test_form_is_disabled_until_the_cart_exists(client, session):
    make_product()
    app = client.application
    saved = app.view_functions.pop("cart.add", None)
    try:
        html = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    finally:
        if saved is not None:
            app.view_functions["cart.add"] = saved
    assert "Online ordering opens soon" in html
    assert re.search(r'<button class="button" type="submit" disabled>Add to cart</button>', html)


def test_size_parameter_preselects_that_variant(client, session):
    make_product(variants=[("RW-50", "50 ml jar", 2400, 10), ("RW-200", "200 ml jar", 6400, 5)])
    html = client.get("/products/royal-warrior-cream?size=RW-200").get_data(as_text=True)
    checked = re.findall(r'<input type="radio" name="variant_id" value="(\d+)"[^>]* checked', html)
    assert checked == ["2"]


def test_product_page_lists_published_articles_that_embed_it(client, session):
    make_product()
    make_post("about-cream", "All about the cream")
    make_post("draft-about-cream", "Unpublished one", published=False)
    make_post("future-about-cream", "Future one", published_at=utcnow() + timedelta(days=2))
    make_post("unrelated", "Unrelated one", body="No embed here.")
    html = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    assert "Learn more" in html
    assert "All about the cream" in html
    for absent in ("Unpublished one", "Future one", "Unrelated one"):
        assert absent not in html


def test_inactive_or_unknown_product_is_404(client, session):
    make_product(active=False)
    assert client.get("/products/royal-warrior-cream").status_code == 404
    response = client.get("/products/no-such-thing")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_product_images_are_responsive_first_eager_rest_lazy(client, session):
    product = make_product()
    _add_images(session, product)
    html = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    imgs = re.findall(r"<img [^>]*>", html, re.S)
    assert len(imgs) == 3
    first, *rest = imgs
    assert 'fetchpriority="high"' in first and "lazy" not in first
    assert ('srcset="/media/products/royal-warrior-cream-jar-320.webp 320w, '
            '/media/products/royal-warrior-cream-jar-640.webp 640w, '
            '/media/products/royal-warrior-cream-jar-960.webp 960w"') in first
    assert 'width="1200" height="1200" alt="The jar"' in first
    assert all('loading="lazy"' in img for img in rest)


def test_product_seo_and_structured_data(client, session):
    make_product(variants=[("RW-50", "50 ml jar", 2400, 10), ("RW-100", "100 ml jar", 3900, 1),
                           ("RW-200", "200 ml jar", 6400, 0)])
    html = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    assert "<title>Royal Warrior+ Cream · Royal Warrior</title>" in html
    assert '<meta name="description" content="Magnesium and hemp seed oil">' in html
    assert '<link rel="canonical" href="http://shop.test/products/royal-warrior-cream">' in html
    assert '<meta property="og:type" content="product">' in html
    data = _json_ld(html)
    assert data["@type"] == "ProductGroup" and data["name"] == "Royal Warrior+ Cream"
    assert data["variesBy"] == "https://schema.org/size"
    variants = {v["sku"]: v for v in data["hasVariant"]}
    offers = {sku: v["offers"] for sku, v in variants.items()}
    assert variants["RW-50"]["size"] == "50 ml jar"
    assert offers["RW-50"]["price"] == "24.00"
    assert offers["RW-50"]["priceCurrency"] == "USD"
    assert offers["RW-50"]["availability"] == "https://schema.org/InStock"
    assert offers["RW-100"]["availability"] == "https://schema.org/LimitedAvailability"
    assert offers["RW-200"]["availability"] == "https://schema.org/OutOfStock"
    assert offers["RW-200"]["url"] == "http://shop.test/products/royal-warrior-cream?size=RW-200"


# Google's merchant listing (Product variants) documentation: what a ProductGroup, each
# variant, its Offer, OfferShippingDetails and MerchantReturnPolicy must or should carry.
GROUP_PROPERTIES = {"name", "productGroupID", "variesBy", "hasVariant", "brand", "url",
                    "description", "image"}
VARIANT_PROPERTIES = {"name", "sku", "size", "image", "offers", "description", "brand"}
OFFER_PROPERTIES = {"price", "priceCurrency", "availability", "itemCondition", "url",
                    "shippingDetails", "hasMerchantReturnPolicy"}
SHIPPING_PROPERTIES = {"shippingRate", "shippingDestination", "deliveryTime"}
RETURN_PROPERTIES = {"applicableCountry", "returnPolicyCategory", "merchantReturnDays",
                     "returnMethod", "returnFees"}


def test_product_group_carries_what_merchant_listings_need(client, session):
    product = make_product(variants=[("RW-50", "50 ml jar", 2400, 10),
                                     ("RW-200", "200 ml jar", 6400, 4)])
    _add_images(session, product)
    data = _json_ld(client.get("/products/royal-warrior-cream").get_data(as_text=True))
    assert GROUP_PROPERTIES <= data.keys()
    for variant in data["hasVariant"]:
        assert variant["@type"] == "Product"
        assert VARIANT_PROPERTIES <= variant.keys()
        offer = variant["offers"]
        assert OFFER_PROPERTIES <= offer.keys()
        assert offer["itemCondition"] == "https://schema.org/NewCondition"
        for details in offer["shippingDetails"]:
            assert SHIPPING_PROPERTIES <= details.keys()
            assert details["shippingRate"]["currency"] == "USD"
            assert {d["addressCountry"] for d in details["shippingDestination"]} == {
                "US", "CA", "GB", "IE", "DE", "FR", "NL", "AU"}
            for part in ("handlingTime", "transitTime"):
                assert details["deliveryTime"][part]["unitCode"] == "DAY"
        policy = offer["hasMerchantReturnPolicy"]
        assert RETURN_PROPERTIES <= policy.keys()
        assert policy["merchantReturnDays"] == 30
        assert policy["returnFees"] == "https://schema.org/ReturnFeesCustomerResponsibility"
    assert all("gtin" not in v for v in data["hasVariant"])   # none known: none invented


def test_a_known_gtin_is_in_the_size_listing(app):
    from tests.html_forms import form_with_action
    from tests.test_admin_support import owner_client

    with app.app_context():
        variant_id = make_product().variants[0].id
    owner = owner_client(app)
    url = f"/admin/variants/{variant_id}"
    data = form_with_action(owner.get(url).get_data(as_text=True), url, url).submission()
    data["gtin"] = "0012345678906"                     # a wrong check digit
    refused = owner.post(url, data=data)
    assert refused.status_code == 422 and "correct check digit" in refused.get_data(as_text=True)
    data["gtin"] = "0012345678905"
    assert owner.post(url, data=data).status_code == 303
    listing = _json_ld(app.test_client().get("/products/royal-warrior-cream").get_data(
        as_text=True))
    assert [v.get("gtin") for v in listing["hasVariant"]] == ["0012345678905", None]


def test_structured_data_shipping_matches_what_checkout_charges(app, client, session):
    """Standard shipping is free over the threshold in checkout and in the listing alike."""
    from storefront.payments.gateway import shipping_options

    make_product(variants=[("RW-50", "50 ml jar", 2400, 10), ("RW-200", "200 ml jar", 6400, 4)])
    data = _json_ld(client.get("/products/royal-warrior-cream").get_data(as_text=True))
    for variant in data["hasVariant"]:
        listed = {d["shippingLabel"]: d for d in variant["offers"]["shippingDetails"]}
        price_cents = int(variant["offers"]["price"].replace(".", ""))
        for option in shipping_options(app.config, price_cents, "usd"):
            rate = option["shipping_rate_data"]
            shown = listed[rate["display_name"]]
            assert int(shown["shippingRate"]["value"].replace(".", "")) == \
                rate["fixed_amount"]["amount"]
            assert shown["deliveryTime"]["transitTime"]["minValue"] == \
                rate["delivery_estimate"]["minimum"]["value"]
    standard = {v["sku"]: v["offers"]["shippingDetails"][0]["shippingRate"]["value"]
                for v in data["hasVariant"]}
    assert standard == {"RW-50": "6.00", "RW-200": "0.00"}


def test_return_terms_come_from_configuration(app, client, session):
    app.config.update(RETURN_WINDOW_DAYS=14, RETURN_SHIPPING_PAID_BY="shop")
    make_product()
    data = _json_ld(client.get("/products/royal-warrior-cream").get_data(as_text=True))
    policy = data["hasVariant"][0]["offers"]["hasMerchantReturnPolicy"]
    assert policy["merchantReturnDays"] == 14
    assert policy["returnFees"] == "https://schema.org/FreeReturn"


def test_json_ld_escapes_html_in_names(client, session):
    make_product(name="Cream </script><script>alert(1)</script>")
    html = client.get("/products/royal-warrior-cream").get_data(as_text=True)
    assert "</script><script>alert(1)" not in html
    assert _json_ld(html)["name"] == "Cream </script><script>alert(1)</script>"
