"""Demo catalogue: the brand and its single product, Royal Warrior+ Cream."""

from __future__ import annotations

BRAND: dict = {
    "name": "Royal Warrior",
    "promise": (
        "Royal Warrior makes one small-batch magnesium cream and tells you plainly what is in it, "
        "what the research does and does not show, and who should skip it. "
        "We would rather lose a sale than oversell: evidence first, hype never."
    ),
}

_DESCRIPTION = """\
Royal Warrior+ is a rich, smooth body cream we make in small batches for massage and
everyday self-care. It is a cosmetic product for the skin, made to feel good to use.

## What is in it and why

- **Magnesium chloride.** The same magnesium salt found in sea water and "magnesium oil." People
  like it for massage rituals. Whether meaningful amounts pass through the skin is still debated,
  and we explain that evidence honestly in our articles rather than on the label.
- **Hemp seed oil.** A plant oil rich in omega-6 and omega-3 fatty acids that gives the cream its
  soft, cushiony glide. It is pressed from hemp seeds and is not the same thing as CBD oil.
- **DMSO (dimethyl sulfoxide), 10% by weight, pharmaceutical grade.** A solvent that helps the
  cream spread and sink in instead of sitting on the surface. It is also the ingredient that asks
  the most care from you: read the safety notes below.

## How to use it

1. **Patch test first.** Rub a pea-sized amount on the inside of your forearm and wait 24 hours.
   If you see redness, itching or stinging, do not use the cream.
2. **Apply to clean, dry skin only.** DMSO can carry other substances through the skin with it,
   so wash off lotions, perfumes, insect repellent, sunscreen or anything else first, and wash your
   hands after applying.
3. **Never on broken skin.** Keep it away from cuts, scrapes, rashes, eyes and mucous membranes.
4. Massage a thin layer into the area you want to pamper, once or twice a day.

## Safety

**DMSO is not approved by the US Food and Drug Administration (FDA) for use on the skin.** Its only
FDA-approved medical use is as a prescription solution put into the bladder for a condition called
interstitial cystitis. In this cream it is a cosmetic ingredient, and the cream makes no medical
claim.

Some people notice a garlic-like taste in the mouth or a garlic-like smell on the breath and skin
after using DMSO. This is a known effect and worth knowing before you start. DMSO can also cause
dryness, itching or redness; stop using the cream if it does. Because DMSO helps other substances
pass through the skin, use the cream only on clean skin, as described above.

## What it is not

Royal Warrior+ is **not a medicine**. It is not intended to diagnose, treat, cure or prevent any
disease, and it is not a substitute for magnesium from food or for care from a clinician. If you
have pain that is severe, new or getting worse, please see a health professional.

## Ask a doctor before using it if you

- are pregnant or breastfeeding;
- have kidney disease or reduced kidney function;
- take any prescription medication, or apply other medicated creams or patches (because DMSO can
  change how substances pass through skin);
- have sensitive skin, eczema or a history of skin reactions.

Keep out of reach of children. For external use only.
"""

PRODUCTS: list[dict] = [
    {
        "slug": "royal-warrior-cream",
        "name": "Royal Warrior+ Cream",
        "tagline": "A small-batch magnesium, hemp seed oil and DMSO cream for your massage ritual.",
        "safety_note": (
            "Contains 10% DMSO, which is not FDA-approved for use on the skin. Patch test, use on "
            "clean, unbroken skin only, and ask a doctor first if you take medication."
        ),
        "description": _DESCRIPTION,
        "images": [
            {
                "key": "royal-warrior-jar",
                "alt": (
                    "Illustration of a Royal Warrior+ cream jar with a deep teal lid and a sand "
                    "coloured body, labelled ROYAL WARRIOR+ with a small amber crown."
                ),
            },
            {
                "key": "royal-warrior-texture",
                "alt": (
                    "Illustration of a swirl of off-white cream on a warm sand background with a "
                    "few small green droplets of oil."
                ),
            },
        ],
        "variants": [
            {
                "sku": "RW-50",
                "label": "50 ml jar",
                "price_cents": 2400,
                "currency": "usd",
                "on_hand": 40,
                "low_stock_threshold": 5,
            },
            {
                "sku": "RW-100",
                "label": "100 ml jar",
                "price_cents": 3900,
                "currency": "usd",
                "on_hand": 25,
                "low_stock_threshold": 5,
            },
            {
                "sku": "RW-200",
                "label": "200 ml jar",
                "price_cents": 6400,
                "currency": "usd",
                "on_hand": 8,
                "low_stock_threshold": 3,
            },
        ],
    }
]
