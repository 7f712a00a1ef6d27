"""`flask check-content`: each editorial rule flags a planted problem; the demo content passes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storefront.blog.checks import Rules, banned_claims, find_content_problems
from storefront.demo.loader import load_demo
from storefront.models import Author, Page, PostReference, Tag, utcnow
from tests.conftest import make_post, make_product

GOOD_REF = PostReference(position=1, citation="Yousef AA. Anaesthesia. 2013. PMID: 23384256.",
                         url="https://doi.org/10.1111/anae.12107")


def clean_post(slug="magnesium-and-sleep", title="Magnesium and sleep", **fields):
    """A health article that breaks no rule: reviewed recently, cited, referenced."""
    fields.setdefault("body", "Magnesium is a mineral.[^1]\n\n[[product:royal-warrior-cream]]\n")
    fields.setdefault("reviewed_by", "Editorial team")
    fields.setdefault("reviewed_at", utcnow() - timedelta(days=30))
    post = make_post(slug, title, **fields)
    post.references = [PostReference(position=1, citation=GOOD_REF.citation, url=GOOD_REF.url)]
    return post


def messages(session, **kwargs):
    return [str(f) for f in find_content_problems(session, **kwargs)]


def test_a_clean_article_has_no_findings(app, session):
    make_product()
    session.add(Author(slug="editorial-team", name="Editorial team", kind="organization"))
    clean_post()
    session.commit()
    assert messages(session) == []


@pytest.mark.parametrize("plant, expected", [
    (dict(reviewed_at=utcnow() - timedelta(days=400)), "more than 12 months ago"),
    (dict(reviewed_by=None), "health article with no reviewer"),
    (dict(reviewed_at=None), "health article with no review date"),
    (dict(is_health=False), "is not marked as a health article, so it shows no disclaimer"),
    (dict(body="Claim.[^1] Other.[^2]\n"), "post magnesium-and-sleep:1: error: footnote [^2] "
                                            "has no reference"),
    (dict(body="No citations here.\n"), "reference 1 is never cited"),
    (dict(title="Magnesium for back pain"), "buy card next to a medical condition ('pain')"),
    (dict(body="Line one.[^1]\n\nThis cream cures cramps.\n"), "post magnesium-and-sleep:3: "
                                                               "error: absolute claim 'cures'"),
    (dict(summary="Clinically proven relief"), "absolute claim 'Clinically proven' in the summary"),
    (dict(body="Cited.[^1] See [doi](https://doi.org/10.1111anae).\n"),
     "post magnesium-and-sleep:1: error: links a malformed DOI: https://doi.org/10.1111anae"),
])
def test_each_rule_flags_its_planted_problem(app, session, plant, expected):
    make_product()
    clean_post(**plant)
    found = messages(session)
    assert any(expected in line for line in found), found


def test_health_article_without_references_is_flagged(app, session):
    make_product()
    make_post("bare", "Bare", body="Text.\n", reviewed_by="X", reviewed_at=utcnow())
    assert "post bare: error: health article with no references" in messages(session)


def test_repr_tags_and_references_and_bad_doi_references_are_flagged(app, session):
    make_product()
    post = clean_post()
    post.tags.append(Tag(slug="tag-slug-magnesium", name="Tag(slug='magnesium')"))
    post.references.append(PostReference(position=2, citation="<PostReference 7>", url=""))
    post.references.append(PostReference(position=3, citation="{'citation': 'x'}", url=""))
    post.references.append(PostReference(position=4, citation="Real. PMID: 12ab.",
                                         url="https://doi.org/doi:10.1000/x"))
    post.body += "More.[^2][^3][^4]\n"
    session.commit()
    found = messages(session)
    assert any("tag looks like program output" in line for line in found), found
    assert any("reference 2 looks like program output" in line for line in found), found
    assert any("reference 3 looks like program output" in line for line in found), found
    assert any("reference 4 links a malformed DOI" in line for line in found), found
    assert any("reference 4 has a malformed PMID" in line for line in found), found


def test_unknown_and_inactive_embeds_and_stray_shortcodes_are_flagged(app, session):
    make_product()
    make_product("old-balm", "Old Balm", variants=[("OB-1", "30 ml", 1500, 3)], active=False)
    clean_post(body="Cited.[^1]\n\n[[product:ghost]]\n\n[[product:old-balm]]\n\n"
                    "Inline [[product:royal-warrior-cream]] here.\n")
    found = messages(session)
    assert "post magnesium-and-sleep:3: error: embeds unknown product 'ghost'" in found
    assert "post magnesium-and-sleep:5: error: embeds inactive product 'old-balm'" in found
    assert any("must be alone on its line" in line for line in found)


def test_a_condition_article_may_embed_the_product_as_a_link(app, session):
    make_product()
    clean_post(title="Magnesium for back pain", is_condition=True)
    assert not any("medical condition" in line for line in messages(session))


def test_negated_claims_are_disclaimers_not_claims():
    rules = Rules()
    disclaimer = "It is not intended to diagnose, treat, cure or prevent."
    assert list(banned_claims(disclaimer, rules)) == []
    assert [p for _, p in banned_claims("Heals fast. No side effects!", rules)] == [
        "Heals", "No side effects"]


def test_banned_claims_come_from_configuration(app, session):
    make_product()
    clean_post(body="Cited.[^1] A gentle miracle balm.\n")
    assert any("'miracle'" in line for line in messages(session))
    rules = Rules(banned_claims=("gentle",))
    found = messages(session, rules=rules)
    assert any("'gentle'" in line for line in found) and not any("miracle" in x for x in found)


def test_pages_and_products_are_checked_too(app, session):
    make_product(description="This balm heals everything.")
    session.add(Page(slug="about", title="About", body="See https://doi.org/11.2/x for more."))
    session.commit()
    found = messages(session)
    assert ("product royal-warrior-cream:1: error: absolute claim 'heals' in the description"
            in found)
    assert "page about:1: error: links a malformed DOI: https://doi.org/11.2/x" in found


@pytest.mark.parametrize("heading, flagged", [
    ("## Safety", False), ("### Safety ###", False), ("Safety\n------", False),
    ("## Safety and use", True),
    ("Safety", True), (None, True),
])
def test_a_safety_note_needs_the_safety_heading_its_link_lands_on(app, session, heading,
                                                                  flagged):
    product = make_product(description="A cream.\n\n" + (f"{heading}\n\nPatch test." if heading
                                                          else ""))
    product.safety_note = "Contains DMSO."
    session.commit()
    expected = ("product royal-warrior-cream: error: has a safety note, but its description has "
                "no '## Safety' heading for the card's link to land on")
    assert (expected in messages(session)) is flagged


def test_command_exits_non_zero_on_errors_and_names_article_and_line(app, session, runner):
    make_product()
    session.add(Author(slug="editorial-team", name="Editorial team", kind="organization"))
    clean_post()
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 0, result.output
    assert "No errors (0 warning(s))." in result.output

    clean_post("broken", "Broken", body="Cited.[^1][^9]\n")
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 1
    assert "post broken:1: error: footnote [^9] has no reference" in result.output


@pytest.mark.parametrize("app_config", [{"CONTENT_BANNED_CLAIMS": ["soothing"]}])
def test_command_reads_the_banned_list_from_config(app, session, runner, app_config):
    make_product()
    clean_post(body="A soothing balm.[^1]\n")
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 1
    assert "absolute claim 'soothing'" in result.output


def test_the_seeded_demo_content_passes_check_content(app, session, runner):
    """CI's gate on the demo articles: seed them, run the real command, expect no errors."""
    load_demo(session)
    session.commit()
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 0, result.output
    assert " error:" not in result.output
