"""The demo publishes no household's circumstances: a need's public text never says that a
household is elderly, disabled or low-income (descriptions once did, and a public search for
"残疾人家庭" listed 89 needs, each located to its group). The visit text (`description`,
personal) may; the published words may not."""

from __future__ import annotations

from sandan.demo import catalog
from sandan.demo.data import DemoData

VULNERABILITY_WORDS = ("独居", "长者", "残疾", "低收入", "低保", "困难", "孤寡", "老人", "家庭")


def test_no_public_text_names_a_vulnerability(town_data: DemoData) -> None:
    flagged = {
        h["id"]
        for h in town_data.households
        if h["elderly_alone"] or h["disability"] or h["low_income"]
    }
    # The town's flagged households have needs, whose visit text names the flags.
    assert any(n["household_id"] in flagged for n in town_data.needs)
    assert all(n["public_text"] for n in town_data.needs)
    leaks = [
        n["public_text"]
        for n in town_data.needs
        if any(w in n["public_text"] for w in VULNERABILITY_WORDS)
    ]
    assert leaks == []


def test_titles_come_from_the_catalogue_not_the_household(town_data: DemoData) -> None:
    # A title is a place (or nothing, for a household's need) and a catalogue title: nothing
    # about who asked.
    titles = {t.title for templates in catalog.NEEDS.values() for t in templates}
    for need in town_data.needs:
        assert any(str(need["title"]).endswith(t) for t in titles), need["title"]
        if need["household_id"] is not None:
            assert need["title"] in titles, need["title"]
