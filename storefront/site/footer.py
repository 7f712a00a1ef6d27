"""The pages every footer links to, in order: slug -> link text.

A shop owes its customers these (who we are, shipping, returns, how to reach us, privacy,
terms); the demo seeds each one, and the admin keeps their slugs fixed so the links hold.
"""

FOOTER_PAGES: dict[str, str] = {
    "about": "About",
    "shipping": "Shipping",
    "returns": "Returns",
    "contact": "Contact",
    "privacy": "Privacy",
    "terms": "Terms",
    "editorial-process": "Editorial process",
}
