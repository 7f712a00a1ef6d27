"""A parcel's tracking link, from the carrier and number staff type when they ship an order.

Only carriers whose public tracking pages take the number in the address are listed; for any
other carrier the customer gets the number without a link rather than a link that may be wrong.
"""

from __future__ import annotations

from urllib.parse import quote

TRACKING_URLS = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "ups": "https://www.ups.com/track?tracknum={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={}",
}


def tracking_url(carrier: str, number: str) -> str | None:
    template = TRACKING_URLS.get((carrier or "").strip().lower())
    if not template or not (number or "").strip():
        return None
    return template.format(quote(number.strip(), safe=""))
