"""Demo educational articles.

Every health statement in a body is tied to a numbered reference with a ``[^n]`` marker, where
``n`` is the 1-based index into that post's ``references`` list. Each reference was checked against
the published source (authors, year, journal, volume, pages and DOI) before being added; PMIDs are
given where they were checked against a PubMed record. The reviewer is the brand's editorial team
(an organization, not a clinician): the editorial-process page says so plainly, and a shop that
adds a qualified medical reviewer names them in ``AUTHORS`` and on each article.
"""

from __future__ import annotations

PRODUCT_EMBED = "[[product:royal-warrior-cream]]"
EDITORIAL_TEAM = "Royal Warrior editorial team"

AUTHORS: list[dict] = [
    {
        "slug": "royal-warrior-editorial-team",
        "name": EDITORIAL_TEAM,
        "kind": "organization",
        "bio": (
            "The people who make Royal Warrior+ also write and review these articles. We check "
            "every figure against the study it comes from. We are not clinicians, and we have "
            "a commercial interest: we sell a magnesium cream."
        ),
    },
]

# --- References (shared between posts) ------------------------------------------------------

ODS_MAGNESIUM = {
    "citation": (
        "Office of Dietary Supplements, National Institutes of Health. "
        "Magnesium: Fact Sheet for Health Professionals. ods.od.nih.gov."
    ),
    "url": "https://ods.od.nih.gov/factsheets/Magnesium-HealthProfessional/",
}
GROBER_2017 = {
    "citation": (
        "Gröber U, Werner T, Vormann J, Kisters K. Myth or Reality—Transdermal Magnesium? "
        "Nutrients. 2017;9(8):813. PMID: 28788060."
    ),
    "url": "https://doi.org/10.3390/nu9080813",
}
KASS_2017 = {
    "citation": (
        "Kass L, Rosanoff A, Tanner A, Sullivan K, McAuley W, Plesset M. Effect of transdermal "
        "magnesium cream on serum and urinary magnesium levels in humans: A pilot study. "
        "PLoS One. 2017;12(4):e0174817."
    ),
    "url": "https://doi.org/10.1371/journal.pone.0174817",
}
YOUSEF_2013 = {
    "citation": (
        "Yousef AA, Al-deeb AE. A double-blinded randomised controlled study of the value of "
        "sequential intravenous and oral magnesium therapy in patients with chronic low back pain "
        "with a neuropathic component. Anaesthesia. 2013;68(3):260-266. PMID: 23384256."
    ),
    "url": "https://doi.org/10.1111/anae.12107",
}
BRIEN_2008 = {
    "citation": (
        "Brien S, Prescott P, Bashir N, Lewith H, Lewith G. Systematic review of the nutritional "
        "supplements dimethyl sulfoxide (DMSO) and methylsulfonylmethane (MSM) in the treatment "
        "of osteoarthritis. Osteoarthritis Cartilage. 2008;16:1277-1288."
    ),
    "url": "https://doi.org/10.1016/j.joca.2008.03.002",
}
BRIEN_2011 = {
    "citation": (
        "Brien S, Prescott P, Lewith G. Meta-analysis of the related nutritional supplements "
        "dimethyl sulfoxide and methylsulfonylmethane in the treatment of osteoarthritis of the "
        "knee. Evid Based Complement Alternat Med. 2011;2011:528403. PMID: 19474240."
    ),
    "url": "https://doi.org/10.1093/ecam/nep045",
}
BAYRAM_2021 = {
    "citation": (
        "Bayram S, Şahin K, Anarat FB, Chousein CM, Kocazeybek E, Altan M, Akgül T. The effect "
        "of oral magnesium supplementation on acute non-specific low back pain: prospective "
        "randomized clinical trial. Am J Emerg Med. 2021;47:125-130."
    ),
    "url": "https://doi.org/10.1016/j.ajem.2021.03.078",
}
UWITONZE_2018 = {
    "citation": (
        "Uwitonze AM, Razzaque MS. Role of Magnesium in Vitamin D Activation and Function. "
        "J Am Osteopath Assoc. 2018;118(3):181-189. PMID: 29480918."
    ),
    "url": "https://doi.org/10.7556/jaoa.2018.037",
}
DAI_2018 = {
    "citation": (
        "Dai Q, Zhu X, Manson JE, Song Y, Li X, Franke AA, et al. Magnesium status and "
        "supplementation influence vitamin D status and metabolism: results from a randomized "
        "trial. Am J Clin Nutr. 2018;108(6):1249-1258. PMID: 30541089."
    ),
    "url": "https://doi.org/10.1093/ajcn/nqy274",
}
CASTIGLIONI_2013 = {
    "citation": (
        "Castiglioni S, Cazzaniga A, Albisetti W, Maier JAM. Magnesium and osteoporosis: current "
        "state of knowledge and future research directions. Nutrients. 2013;5(8):3022-3033. "
        "PMID: 23912329."
    ),
    "url": "https://doi.org/10.3390/nu5083022",
}
CALLAWAY_2005 = {
    "citation": (
        "Callaway J, Schwab U, Harvima I, Halonen P, Mykkänen O, Hyvönen P, Järvinen T. "
        "Efficacy of dietary hempseed oil in patients with atopic dermatitis. "
        "J Dermatolog Treat. 2005;16:87-94."
    ),
    "url": "https://doi.org/10.1080/09546630510035832",
}

# --- Bodies ---------------------------------------------------------------------------------

_BACK_PAIN_BODY = """\
Back pain is one of the most common reasons people go looking for "something natural," and
magnesium comes up again and again. We make a magnesium cream, so we have an obvious interest in
the answer. That is exactly why we want to walk through the evidence carefully, including the parts
that do not flatter our product.

## Why magnesium and pain get mentioned together

Magnesium is a cofactor in more than 300 enzyme systems in the body, including those involved in
muscle and nerve function.[^1] An adult body holds roughly 25 grams of it, with 50% to 60% stored in
bone and most of the rest in soft tissue.[^1] Because so little of it sits in the blood, a routine
blood test says surprisingly little about how much magnesium you have overall.[^1]

The more specific idea linking magnesium to chronic pain is about the nervous system. Magnesium can
block NMDA receptors, which are involved in *central sensitization*: the process by which the spinal
cord becomes more reactive to pain signals over time.[^2] That is a plausible mechanism. A plausible
mechanism is not the same thing as a proven treatment.

## The best-known trial

The study most often quoted is a double-blind randomized trial published in 2013.[^2] It enrolled
80 people with chronic low back pain *with a neuropathic component*, meaning pain with nerve-related
features. Everyone was already in a physical therapy program and taking anticonvulsants,
antidepressants and simple painkillers.

- 40 people received a magnesium infusion into a vein for two weeks, followed by magnesium capsules
  by mouth for four weeks.
- 40 people received a placebo on the same schedule.

Six months later, average pain in the magnesium group had fallen from 7.5 to 4.7 on a 0 to 10
numerical rating scale, and the range of motion of the lower spine had improved.[^2] The placebo
group matters just as much: it started at 7.4 and was at 7.2 six months later, almost unchanged.
Early on the picture was different. After the first two weeks both groups reported less pain, with
no significant difference between them; the gap opened later.[^2]

That is an encouraging result, but notice what it does and does not tell us:

- It is **one trial** with 80 participants.
- It studied a **specific group**: back pain with nerve involvement, in people already on
  medication and physical therapy.
- The magnesium was given **into a vein and then by mouth**, under medical supervision. Nobody
  rubbed it on their skin.
- It was an add-on to usual care, not a replacement for it.

So the fair conclusion is "interesting, and worth more research," not "magnesium fixes back pain."

## A trial in acute back pain

A second randomized trial, published in 2021, looked at a different situation: sudden, non-specific
low back pain in people who came to an emergency department.[^7] Of 240 people enrolled, 209 were
analysed in three groups. All took an anti-inflammatory painkiller (the NSAID etodolac); one group
added 365 mg of oral magnesium a day, another added paracetamol.

- At the **day 4** visit, the magnesium group had improved more in pain and disability scores than
  the other two groups.
- By **day 10** there was no difference between the three groups in pain, disability or how well
  the lower back moved.[^7]

Participants knew which treatment they were taking (an "open label" design), and the authors
concluded that adding magnesium did not significantly improve the final outcome.[^7] An earlier
easing that has disappeared by day 10 is worth knowing about, but it is not a reason to take
magnesium for back pain.

## What about magnesium through the skin?

Creams, sprays and bath flakes are popular because they promise to skip the digestive side effects
of pills. The science here is thin. A 2017 review in *Nutrients* examined the evidence for
transdermal magnesium, concluded that promoting it is scientifically unsupported, and said the
authors could not yet recommend it.[^3]

The most direct human test we know of is a small pilot study, also from 2017.[^4] Twenty-five
volunteers used either a magnesium cream (56 mg of magnesium a day) or a placebo cream for two
weeks. Average blood magnesium in the cream group went from 0.82 to 0.89 mmol/L, but across the
whole group that change was not statistically significant; it reached significance only in a
subgroup of non-athletes.[^4] Neither the review nor the pilot study looked at back pain at all.

In short: **nobody has shown that a magnesium cream relieves back pain.** We would rather you hear
that from us.

## And DMSO?

Our cream also contains DMSO (dimethyl sulfoxide). A 2008 systematic review looked at DMSO and its
chemical relative MSM for knee osteoarthritis. Some trials reported less pain, but the reviewers
flagged problems with study methods and uncertainty about dosing, and found no definitive evidence
that either works.[^5] The same authors updated it with a meta-analysis in 2011. It pooled three
trials (two of DMSO, one of MSM; 326 patients in all) and found a reduction in pain that was neither
statistically nor clinically significant. They concluded that current evidence suggests DMSO and
MSM are not clinically effective for osteoarthritis pain, although mixed findings and short
treatment periods mean no definitive conclusion can be drawn.[^6] Knee osteoarthritis is also a
different condition from back pain, so that evidence does
not transfer neatly.

## The evidence at a glance

| Question | What the research shows |
| --- | --- |
| Is magnesium involved in muscle and nerve function? | Yes, this is well established.[^1] |
| Has magnesium eased chronic back pain in a trial? | Once: IV, then oral, nerve-related pain.[^2] |
| Does oral magnesium help acute back pain? | A little at day 4, no difference by day 10.[^7] |
| Does a magnesium cream raise body magnesium? | Unclear: one small pilot, mixed results.[^4] |
| Does a magnesium cream relieve back pain? | Not studied. |

## Practical, honest next steps

1. **Get persistent or severe back pain checked.** Pain that is new and intense, follows a fall or
   injury, or comes with numbness, weakness or fever deserves a clinician's attention, not a jar
   of anything.
2. **Look at your plate first.** Green leafy vegetables, legumes, nuts, seeds and whole grains are
   good dietary sources of magnesium.[^1]
3. **Do not self-prescribe high-dose pills.** For adults, the upper limit for magnesium from
   supplements is 350 mg a day, and high doses often cause diarrhea, sometimes with nausea and
   cramping. Poor kidney function raises the risk of magnesium building up in the body.[^1]
4. **Keep doing what helps.** Movement, physical therapy and the plan you agreed with your
   clinician come first.

## Where a cream fits

If, after all that, you would like to try a topical magnesium cream as part of a massage or
wind-down routine, Royal Warrior+ is the one we make. It is a cosmetic cream, not a treatment for
pain or for any other condition. DMSO, one of its ingredients, is not approved by the US FDA for
use on the skin, so read the safety notes on the product page before you start.

[[product:royal-warrior-cream]]
"""

_VITAMIN_D_BODY = """\
*A note on our interest: Royal Warrior sells a magnesium cream. It plays no part in bone health, and
we say so at the end of this article.*

When people think about bone health, calcium and vitamin D get most of the attention. Magnesium is
the quieter partner. It is part of bone itself, and it helps your body put vitamin D to work. Here
is what the research supports, and where the story is still being written.

## Magnesium lives in your bones

An adult body contains about 25 grams of magnesium, and 50% to 60% of it sits in the skeleton.[^1]
Magnesium contributes to the structural development of bone, and it also helps move calcium and
potassium across cell membranes.[^1] In other words, it is not a side character: it is part of the
material your bones are made of.

## Vitamin D needs magnesium to get going

The vitamin D you make in your skin or get from food is not active yet. It is converted by enzymes
in the liver and then in the kidneys before it can help regulate calcium and phosphate. A 2018
review describes how the enzymes that carry out these steps appear to depend on magnesium as a
cofactor.[^2] The authors argue that getting the recommended amount of magnesium is part of getting
the full benefit from vitamin D.[^2]

That review is a narrative summary, not a trial. It explains a mechanism well, but it cannot tell
you how much difference magnesium makes in real people. For that, we need experiments.

## What a randomized trial found

A trial published in the *American Journal of Clinical Nutrition* in 2018 put the idea to the
test.[^3] It included 180 adults aged 40 to 85 who were taking part in a larger colorectal cancer
prevention study. Participants received either magnesium or a placebo, with doses tailored to how
much magnesium they already ate, and researchers measured several forms of vitamin D in the blood.

The interesting finding was that magnesium did not simply push vitamin D up. Its effect depended on
where people started: vitamin D levels tended to rise in people who began lower and to fall in
people who began higher.[^3] The authors read this as magnesium helping to regulate vitamin D
metabolism rather than acting as a vitamin D booster. Note what was measured: forms of vitamin D in
the blood. The trial did not measure bone density, fractures or anything else in bone itself.[^3]
It is one trial, in middle-aged and older adults, so it is best treated as a promising signal about
blood markers rather than evidence that magnesium strengthens bones.

The same paper notes that, according to US national survey data, 79% of US adults do not meet the
recommended dietary allowance for magnesium.[^3] Falling short is common, even though severe
deficiency is not.[^1]

## Too little and too much both matter

A 2013 review of magnesium and osteoporosis pulled together laboratory and population studies and
reached a balanced conclusion: both low and high magnesium appear to have harmful effects on
bone.[^4] Low magnesium may weaken bone directly, by affecting bone crystals and bone cells, and
indirectly, by disturbing parathyroid hormone and promoting low-grade inflammation.[^4] Much less
is known about why bone mineralization suffers when magnesium is too high, but the message is
clear: the goal is a healthy balance, not megadoses.[^4]

## How much magnesium do adults need?

The recommended dietary allowances for adults are:[^1]

| Age | Men | Women |
| --- | --- | --- |
| 19 to 30 years | 400 mg | 310 mg |
| 31 years and older | 420 mg | 320 mg |

Needs are higher during pregnancy.[^1] For supplements specifically, the tolerable upper intake
level for adults is 350 mg a day. That limit covers supplements and medicines, not magnesium that
comes from food.[^1]

## Putting it into practice

- **Food first.** Green leafy vegetables, legumes, nuts, seeds and whole grains are good sources of
  magnesium, and refining grains strips out much of it.[^1]
- **Think in partnerships.** If you are already working on vitamin D or calcium with your doctor,
  ask whether your magnesium intake is adequate too.
- **Ask before supplementing** if you have kidney disease or take regular medication. Poor kidney
  function raises the risk of magnesium building up, and magnesium supplements can interact with
  some drugs, including certain osteoporosis medicines and antibiotics.[^1]
- **Keep perspective.** Bone health depends on much more than one nutrient, and your clinician can
  look at the whole picture, including whether a bone density test makes sense for you.

## Where does a magnesium cream fit?

Honestly, not in your bone plan. The evidence that magnesium passes through the skin in useful
amounts is thin, and a 2017 review found the case for transdermal magnesium scientifically
unsupported.[^5] There is no evidence that a cream changes your vitamin D status or your bones.
Food, plus supplements when a clinician advises them, is how to cover your magnesium needs.

If you enjoy massage and would like to try a topical magnesium cream simply as part of your
self-care routine, that is what we make. Just keep it in the right box: a pleasant ritual, not a
bone supplement.

[[product:royal-warrior-cream]]
"""

_GET_MORE_BODY = """\
Magnesium has become a wellness buzzword, and products promising to "restore" it are everywhere,
including ours. This guide ranks the options the way the evidence does: food first, oral
supplements when there is a reason, and topical products as an optional extra whose absorption is
still debated.

## How much do you need?

For adults, the recommended dietary allowance is 400 to 420 mg a day for men and 310 to 320 mg a
day for women, depending on age, with higher needs during pregnancy.[^1] Many people fall short: a
2018 trial report, citing US national survey data, states that 79% of US adults do not meet their
recommended allowance.[^5] Falling short of a target is not the same as being deficient, though.
Symptomatic deficiency from diet alone is uncommon in otherwise healthy people, because the kidneys
hold on to magnesium when intake is low.[^1]

## 1. Food: the foundation

Magnesium is widespread in plant and animal foods. Green leafy vegetables, legumes, nuts, seeds and
whole grains are good sources, and in general foods that contain fiber provide magnesium.[^1]
Refining grains removes much of their magnesium, so whole grains beat white flour here.[^1] Roughly
30% to 40% of the magnesium in a typical diet is absorbed.[^1]

Some examples, with approximate values from the NIH Office of Dietary Supplements food table:[^1]

| Food | Serving | Magnesium |
| --- | --- | --- |
| Pumpkin seeds, roasted | 1 ounce | 156 mg |
| Chia seeds | 1 ounce | 111 mg |
| Almonds, dry roasted | 1 ounce | 80 mg |
| Spinach, boiled | ½ cup | 78 mg |
| Cashews, dry roasted | 1 ounce | 74 mg |
| Black beans, cooked | ½ cup | 60 mg |
| Brown rice, cooked | ½ cup | 42 mg |
| Banana | 1 medium | 32 mg |

A sprinkle of pumpkin seeds on your oatmeal, a side of beans and some greens at dinner add up
quickly. Magnesium from food also does not count toward the upper limit for supplements, because
healthy kidneys excrete the excess.[^1]

## 2. Oral supplements: useful when there is a reason

Supplements make sense when your diet cannot cover your needs or a clinician has found a reason to
top you up. They come in several forms, such as oxide, citrate and chloride, and how well the
magnesium is absorbed differs between forms.[^1] A few rules of thumb:

- **Respect the upper limit.** For adults, magnesium from supplements and medicines should stay at
  or below 350 mg a day unless a doctor advises otherwise. Higher doses often cause diarrhea,
  sometimes with nausea and cramping.[^1]
- **Check your kidneys and your medicine cabinet.** Poor kidney function raises the risk of
  magnesium building up to harmful levels, and magnesium can interact with some medications,
  including certain antibiotics and osteoporosis drugs.[^1] Some antacids and laxatives already
  contain magnesium.[^1]
- **Talk to a clinician first** if you are pregnant, have a chronic condition or take regular
  medication.

## 3. Topical products: optional, and honestly uncertain

Magnesium creams, sprays, "magnesium oil" and bath flakes are often marketed as a way to bypass the
gut and absorb magnesium better. That claim has not been demonstrated. A 2017 review examined the
evidence and concluded that promoting transdermal magnesium is scientifically unsupported; the
authors could not yet recommend it as a way to supply magnesium.[^2]

The most relevant human experiment is small. In a 2017 pilot study, 25 volunteers used either a
cream supplying 56 mg of magnesium a day or a placebo cream for two weeks.[^3] Blood magnesium rose
modestly in the cream group, but the change was not statistically significant overall and reached
significance only in a subgroup of non-athletes; the rise in urinary magnesium was not significant
either.[^3] That is a reason for more research, not a reason to swap food or pills for a cream.

So why do we make one? Because many people simply enjoy a magnesium massage, and a cream can be a
pleasant part of a self-care routine. We just will not tell you it replaces your diet.

### A word on hemp seed oil

Our cream uses hemp seed oil, which is rich in omega-6 and omega-3 fatty acids.[^4] A small
20-week randomized crossover study gave people with atopic dermatitis hemp seed oil and olive oil
**by mouth**, one after the other. Skin dryness and itchiness improved during the hemp seed oil
period, compared with how they were at its start.[^4] The study did not show that hemp seed oil did
better than olive oil. It was also about eating the oil, not applying it, so it does not show that
a hemp seed oil cream does anything for skin conditions. We use it because of how
it feels on the skin.

## The short version

| Option | Role | Strength of evidence |
| --- | --- | --- |
| Food | Your main source | Strong[^1] |
| Oral supplements | Fill a real gap, within limits | Good, with safety caveats[^1] |
| Topical products | Optional self-care | Thin and contested[^2][^3] |

If you want to try a topical magnesium cream alongside a magnesium-rich diet, this is ours. Patch
test first, use it only on clean, unbroken skin, and read the DMSO notes on the product page.

[[product:royal-warrior-cream]]
"""

POSTS: list[dict] = [
    {
        "slug": "magnesium-for-back-pain",
        "title": "Magnesium for back pain: is it effective?",
        "summary": (
            "What research says about magnesium and back pain, why the best-known trial used IV "
            "and oral doses rather than creams, and where a topical cream honestly fits."
        ),
        "author": EDITORIAL_TEAM,
        "reviewed_by": EDITORIAL_TEAM,
        "reviewed_days_ago": 2,
        "tags": ["Magnesium", "Back pain", "Topical"],
        "is_health": True,
        "is_condition": True,
        "days_ago": 3,
        "cover": "cover-magnesium-for-back-pain",
        "cover_alt": (
            "Flat illustration of a stylised spine made of teal vertebrae with amber discs, "
            "beside a small green sprig on a soft sand background."
        ),
        "body": _BACK_PAIN_BODY,
        "references": [ODS_MAGNESIUM, YOUSEF_2013, GROBER_2017, KASS_2017, BRIEN_2008,
                       BRIEN_2011, BAYRAM_2021],
    },
    {
        "slug": "magnesium-vitamin-d-and-bones",
        "title": "Magnesium, vitamin D and bones: how they work together",
        "summary": (
            "Magnesium is part of bone and helps the body activate vitamin D. What studies show, "
            "what is still uncertain, and why more is not always better."
        ),
        "author": EDITORIAL_TEAM,
        "reviewed_by": EDITORIAL_TEAM,
        "reviewed_days_ago": 2,
        "tags": ["Magnesium", "Vitamin D", "Bones", "Nutrition"],
        "is_health": True,
        "days_ago": 10,
        "cover": "cover-magnesium-vitamin-d-and-bones",
        "cover_alt": (
            "Flat illustration of an amber sun rising over a teal horizon with a simple "
            "off-white bone in the foreground."
        ),
        "body": _VITAMIN_D_BODY,
        "references": [ODS_MAGNESIUM, UWITONZE_2018, DAI_2018, CASTIGLIONI_2013, GROBER_2017],
    },
    {
        "slug": "how-to-get-more-magnesium",
        "title": "How to get more magnesium: food, supplements and topical products",
        "summary": (
            "A practical guide to getting enough magnesium: the best foods, when oral supplements "
            "make sense, and why evidence for absorption through the skin is thin."
        ),
        "author": EDITORIAL_TEAM,
        "reviewed_by": EDITORIAL_TEAM,
        "reviewed_days_ago": 2,
        "tags": ["Magnesium", "Nutrition", "Topical"],
        "is_health": True,
        "days_ago": 24,
        "cover": "cover-how-to-get-more-magnesium",
        "cover_alt": (
            "Flat illustration of green leaves fanning out of a teal bowl, with amber seeds "
            "scattered on a warm off-white background."
        ),
        "body": _GET_MORE_BODY,
        "references": [ODS_MAGNESIUM, GROBER_2017, KASS_2017, CALLAWAY_2005, DAI_2018],
    },
]
