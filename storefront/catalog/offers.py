"""How a product is offered to a reader: availability in words, the size to preselect, prices.

Kept out of the views and templates so the product page, the product card inside articles and
the structured data for search engines all say the same thing about the same stock.
"""

from __future__ import annotations

from flask import current_app, url_for

from storefront.models import Product, Variant
from storefront.money import format_money
from storefront.policies import (
    ReturnPolicy,
    ShippingPolicy,
    ShippingRate,
    return_policy,
    shipping_policy,
)

# Fallback for the home page when SHOP_PROMISE is not configured. Views never import the demo
# content, so a shop with its own catalogue does not inherit our words.
BRAND_PROMISE = (
    "One small-batch magnesium cream, and honest articles about what the research does and "
    "does not show. Evidence first, hype never."
)

SCHEMA_AVAILABILITY = {
    "ok": "https://schema.org/InStock",
    "low": "https://schema.org/LimitedAvailability",
    "out": "https://schema.org/OutOfStock",
}


def brand_promise() -> str:
    return current_app.config["SHOP_PROMISE"] or BRAND_PROMISE


def availability_text(variant: Variant) -> str:
    """What a customer reads next to a size: "In stock", "Only 2 left" or "Sold out"."""
    status = variant.stock_status
    if status == "out":
        return "Sold out"
    if status == "low":
        return f"Only {variant.available} left"
    return "In stock"


def product_availability_text(product: Product) -> str:
    """One line for a whole product: sold out, in stock, or only a few jars left in all."""
    in_stock = [v for v in product.variants if v.available > 0]
    if not in_stock:
        return "Sold out"
    if all(v.stock_status == "low" for v in in_stock):
        return f"Only {sum(v.available for v in in_stock)} left"
    return "In stock"


def in_stock_variants(product: Product) -> list[Variant]:
    return [v for v in product.variants if v.available > 0]


def default_variant(product: Product, sku: str | None = None) -> Variant | None:
    """The size to preselect: the one asked for if it can be bought, else the cheapest in stock.

    A sold-out size is never preselected, because a preselected disabled radio would submit
    nothing and the reader would not see why.
    """
    buyable = in_stock_variants(product)
    if sku:
        for variant in buyable:
            if variant.sku == sku:
                return variant
    return min(buyable, key=lambda v: (v.price_cents, v.position), default=None)


def price_range_text(product: Product) -> str:
    """ "$24.00" for one price, "$24.00–$64.00" for several."""
    prices = product.price_range
    if prices is None:
        return ""
    currency = product.variants[0].currency
    low, high = prices
    if low == high:
        return format_money(low, currency)
    return f"{format_money(low, currency)}–{format_money(high, currency)}"


def from_price_text(product: Product) -> str:
    """ "From $24.00": the short form for cards with several sizes."""
    prices = product.price_range
    if prices is None:
        return ""
    text = format_money(prices[0], product.variants[0].currency)
    return text if prices[0] == prices[1] else f"From {text}"


def cart_add_url() -> str | None:
    """The add-to-cart URL, or None while the cart is not installed.

    Lets product pages ship before the cart: forms render disabled instead of failing to build
    a URL for an endpoint that does not exist yet.
    """
    if "cart.add" in current_app.view_functions:
        return url_for("cart.add")
    return None


def product_url(product: Product, size: str | None = None, from_post: str | None = None,
                **extra) -> str:
    """Link to a product, optionally preselecting a size and naming the article it came from
    (in the fragment, so the page cache keeps one entry per size: reports.attribution)."""
    args = {"slug": product.slug, **extra}
    if size:
        args["size"] = size
    if from_post:
        args["_anchor"] = f"from={from_post}"
    return url_for("catalog.product", **args)


def image_urls(product: Product) -> list[str]:
    """Absolute URLs of each image at its largest stored width (for sharing and search)."""
    urls = []
    for image in product.images:
        widths = image.width_list
        if widths:
            urls.append(url_for("site.media", filename=f"products/{image.key}-{max(widths)}.webp",
                                _external=True))
    return urls


def product_structured_data(product: Product, description: str) -> dict:
    """schema.org ProductGroup with one Product per size, for Google's merchant listings.

    Each size's Offer carries its shipping rates and the return policy from
    storefront.policies, the same terms checkout charges and the policy pages state.
    """
    page = url_for("catalog.product", slug=product.slug, _external=True)
    brand = {"@type": "Brand", "name": current_app.config["SHOP_NAME"]}
    images = image_urls(product)
    shipping, returns = shipping_policy(), return_policy()
    data: dict = {
        "@context": "https://schema.org",
        "@type": "ProductGroup",
        "name": product.name,
        "description": description,
        "url": page,
        "brand": brand,
        "productGroupID": product.slug,
        "variesBy": "https://schema.org/size",
        "hasVariant": [
            {
                "@type": "Product",
                "name": f"{product.name}, {variant.label}",
                "sku": variant.sku,
                **({"gtin": variant.gtin} if variant.gtin else {}),
                "size": variant.label,
                "description": description,
                "brand": brand,
                **({"image": images} if images else {}),
                "offers": _offer(product, variant, shipping, returns),
            }
            for variant in product.variants
        ],
    }
    if images:
        data["image"] = images
    return data


def _offer(product: Product, variant: Variant, shipping: ShippingPolicy,
           returns: ReturnPolicy) -> dict:
    currency = variant.currency.upper()
    return {
        "@type": "Offer",
        "sku": variant.sku,
        "price": _decimal(variant.price_cents),
        "priceCurrency": currency,
        "availability": SCHEMA_AVAILABILITY[variant.stock_status],
        "itemCondition": "https://schema.org/NewCondition",
        "url": url_for("catalog.product", slug=product.slug, size=variant.sku, _external=True),
        "shippingDetails": [
            _shipping_details(rate, rate.amount_for(variant.price_cents), currency, shipping)
            for rate in shipping.rates
        ],
        "hasMerchantReturnPolicy": _return_policy(returns),
    }


def _decimal(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _days(low: int, high: int) -> dict:
    return {"@type": "QuantitativeValue", "minValue": low, "maxValue": high, "unitCode": "DAY"}


def _shipping_details(rate: ShippingRate, cents: int, currency: str,
                      shipping: ShippingPolicy) -> dict:
    return {
        "@type": "OfferShippingDetails",
        "shippingLabel": rate.name,
        "shippingRate": {"@type": "MonetaryAmount", "value": _decimal(cents),
                         "currency": currency},
        "shippingDestination": [
            {"@type": "DefinedRegion", "addressCountry": country}
            for country in shipping.countries
        ],
        "deliveryTime": {
            "@type": "ShippingDeliveryTime",
            "handlingTime": _days(shipping.handling_min_days, shipping.handling_max_days),
            "transitTime": _days(rate.min_days, rate.max_days),
        },
    }


def _return_policy(returns: ReturnPolicy) -> dict:
    return {
        "@type": "MerchantReturnPolicy",
        "applicableCountry": list(returns.countries),
        "returnPolicyCategory": "https://schema.org/MerchantReturnFiniteReturnWindow",
        "merchantReturnDays": returns.window_days,
        "returnMethod": "https://schema.org/ReturnByMail",
        "returnFees": ("https://schema.org/FreeReturn" if returns.free_returns
                       else "https://schema.org/ReturnFeesCustomerResponsibility"),
    }
