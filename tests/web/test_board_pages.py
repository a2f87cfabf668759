"""The board's pages and the offline GraphiQL page over HTTP (no browser): status codes, the
Chinese error pages, HTML escaping, and GraphiQL's assets served from the package."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from datetime import datetime
from pathlib import Path

import strawberry

from sandan.db.enums import Category, CellKind, DeedStatus, Level
from sandan.resolvers.public_board import progress_of
from sandan.schema.types.public import PublicCell, PublicDeed, PublicSatisfaction
from sandan.web.board import templates
from tests.api.helpers import counting_statements, execute, sql
from tests.conftest import api_app, api_client
from tests.web.helpers import board_facts

HOSTILE = "<script>window.pwned = 1</script><b>粗体</b>"


async def test_an_unknown_cell_is_a_chinese_404_page(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        response = await client.get("/cells/NO-SUCH-CELL")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "找不到这个网格" in response.text
    assert "Traceback" not in response.text


async def test_a_spoilt_page_link_is_a_chinese_400_page(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        response = await client.get("/?after=not-a-cursor")
    assert response.status_code == 400
    assert "链接有误" in response.text


async def test_each_level_counts_the_published_deeds_below_it(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    facts = await board_facts(url)
    async with api_client(url) as client:
        for cell in facts.cells.values():
            if cell["level"] not in ("DISTRICT", "TOWN", "VILLAGE", "BRANCH"):
                continue
            page = (await client.get(f"/cells/{cell['code']}")).text
            inside = [d for d in facts.deeds if cell in facts.chain(d["cell_id"])]
            assert f"公开事项 <strong>{len(inside)}</strong> 项" in page, cell
            for deed in inside:
                assert deed["title"] in page


async def test_a_title_with_markup_is_shown_as_text(demo_url: str) -> None:
    deed = (await sql(demo_url, "SELECT id FROM deeds WHERE published = :y", {"y": True}))[0]
    await execute(demo_url, f"UPDATE deeds SET title = '{HOSTILE}' WHERE id = {deed['id']}")
    async with api_client(demo_url) as client:
        page = (await client.get("/")).text
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;b&gt;粗体&lt;/b&gt;" in page
    assert "<script>window.pwned" not in page and "<b>粗体" not in page


async def test_graphiql_is_served_from_the_package(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert {a.rsplit("/", 1)[-1] for a in assets} >= {
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "graphiql.min.css",
        }
        for asset in assets:
            assert asset.startswith("/static/vendor/graphiql/"), asset
            served = await client.get(asset)
            assert served.status_code == 200, asset
            assert len(served.content) > 500, asset
        # The same URL still answers API calls, by GET and by POST.
        query = "{ publicDeeds(first: 1) { totalCount } }"
        by_get = await client.get("/graphql", params={"query": query})
        by_post = await client.post("/graphql", json={"query": query})
    assert by_get.json() == by_post.json()
    assert by_post.json()["data"]["publicDeeds"]["totalCount"] >= 1


def test_templates_and_static_files_are_shipped() -> None:
    """An installed sandan (not an editable one) must hold every page template and asset."""
    root = Path(__file__).resolve().parents[2]
    setuptools = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    patterns = setuptools["package-data"]["sandan.web"]
    web = root / "sandan" / "web"
    shipped = {p for pattern in patterns for p in web.glob(pattern) if p.is_file()}
    wanted = {p for folder in ("templates", "static") for p in (web / folder).rglob("*")}
    assert {p for p in wanted if p.is_file()} <= shipped
    assert any(p.name == "graphiql.min.js" for p in shipped)


def test_ratings_show_only_when_residents_have_rated() -> None:
    card = templates.get_template("deed.html").module.deed_card
    deed = PublicDeed(
        id=strawberry.ID("RGVlZDox"),
        title="水管漏水维修",
        status=DeedStatus.IN_PROGRESS,
        category=Category.DAILY_LIFE,
        need_title="水管漏水维修",
        published_at=datetime(2026, 5, 20, 9),
        done_at=None,
        cell=PublicCell(
            code="X",
            name="碧桂花园小区",
            level=Level.BRANCH,
            kind=CellKind.RESIDENTIAL_COMPOUND,
            parent_name="南方社区",
        ),
        lead=None,
        progress=progress_of(False, []),
        milestones=[],
        satisfaction=None,
        date_changes=[],
        comments=[],
    )
    unrated = str(card(deed))
    assert "<span>碧桂花园小区</span>" in unrated
    assert "群众评价" not in unrated and "rating" not in unrated
    rated = dataclasses.replace(deed, satisfaction=PublicSatisfaction(average=4.5, ratings=12))
    assert "群众评价 <strong>4.5</strong> / 5（12 人评价）" in str(card(rated))


# A board page: the cell by code, its ancestors, its children, the per-cell counts, the page
# of deeds, their milestones, latest reports, ratings, histories and comments (one batch
# each). More means a read per deed or per cell (N+1).
PAGE_STATEMENTS = 10


async def test_a_board_page_costs_a_fixed_number_of_statements(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    facts = await board_facts(url)
    town = facts.chain(facts.deeds[0]["cell_id"])[1]  # a page with ancestors and children
    assert town["level"] == "TOWN"
    async with api_app(url) as (client, state):
        await client.get("/health")  # the dialect's own first-connection statements
        with counting_statements(state.engine) as counter:
            page = await client.get(f"/cells/{town['code']}")
    assert page.status_code == 200
    assert page.text.count('class="deed"') == len(facts.deeds) >= 2
    assert counter.count <= PAGE_STATEMENTS, counter.statements
