"""Demo pages: how the articles are written, sourced, reviewed and corrected."""

from __future__ import annotations

from storefront.demo.shop_pages import SHOP_PAGES

_EDITORIAL_PROCESS = """\
Royal Warrior makes and sells one product: Royal Warrior+, a magnesium cream with hemp seed oil and
DMSO. We also write articles about magnesium and skin care. Because we sell a magnesium product, we
have a commercial interest in what those articles say, and you should read them knowing that. This
page explains how we try to keep that interest from bending the evidence.

## Who writes and who reviews

Articles are written by the Royal Warrior editorial team, the same small team that makes the cream.
Before an article is published, and again at least once a year, a second member of the team
reviews it: every number is checked against the study it comes from, and every health statement
must carry a citation. Each article shows who reviewed it and when it was last reviewed.

We are not clinicians, and our reviews are not medical reviews. If a qualified health professional
reviews an article, the article names them.

## How we choose sources

- **Human studies first.** Laboratory and animal studies can explain a mechanism, but we do not use
  them to tell you what something does for people.
- **Systematic reviews over single trials.** Where a systematic review or meta-analysis exists, we
  lead with it and describe single trials as single trials.
- **The whole result.** We report the comparison group next to the treated group, say what a study
  measured (for example blood markers rather than bone), and say when a result faded or was not
  repeated.
- **Every reference can be checked.** References give authors, journal, year and a DOI link, with a
  PubMed ID where we have checked one.

## How corrections are made

When we change the substance of a published article, whether to fix a mistake or to add new
evidence, the article keeps a dated note under "Corrections and updates" at its foot, and the date
the article was last modified changes with it. We do not quietly rewrite what an article said.

## What we sell, and where it appears

We sell Royal Warrior+ cream. It is a cosmetic product and is not intended to diagnose, treat or
prevent any disease. In articles about a medical condition, such as back pain, we mention the cream
only as a plain link with a line saying we make it: no price and no buy button. Every health article
carries a note that it is education, not medical advice.

Spotted a mistake? Tell us, and we will check it and correct it.
"""

PAGES: list[dict] = [
    {
        "slug": "editorial-process",
        "title": "How we write, source, review and correct our articles",
        "body": _EDITORIAL_PROCESS,
    },
    *SHOP_PAGES,
]
