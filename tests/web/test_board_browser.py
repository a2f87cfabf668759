"""The board and GraphiQL in headless Chromium (Debian's `chromium`, driven by Playwright; no
browser is downloaded) against a real uvicorn server, with the network cut to 127.0.0.1.

Screenshots at 360 px (a phone) and 1280 px wide go to tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Route, async_playwright

from tests.api.helpers import execute
from tests.web.helpers import BoardFacts, board_facts, live_server

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
HOSTILE = "<script>window.pwned = 1</script>恶意标题"
# Belt and braces: DNS answers nothing but loopback, and the route handler below refuses
# (and records) any request for another host.
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"
        )
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=chromium_path(), args=[LOOPBACK_ONLY])
        yield launched
        await launched.close()


class Visit:
    """A browser tab limited to 127.0.0.1 that keeps what it was refused and what went wrong."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.refused: list[str] = []
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    async def limit_to_loopback(self) -> None:
        async def only_loopback(route: Route) -> None:
            host = urlsplit(route.request.url).hostname
            if route.request.url.startswith("data:") or host == "127.0.0.1":
                await route.continue_()
            else:
                self.refused.append(route.request.url)
                await route.abort()

        await self.page.route("**/*", only_loopback)


async def open_tab(browser: Browser, width: int) -> Visit:
    page = await browser.new_page(viewport={"width": width, "height": 900})
    visit = Visit(page)
    await visit.limit_to_loopback()
    return visit


async def shot(page: Page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}-{backend}.png"), full_page=True)


def assert_no_personal_data(html: str, facts: BoardFacts) -> None:
    assert [s for s in facts.secrets if s in html] == []


async def test_a_resident_walks_the_board_on_a_phone(
    browser: Browser, demo_url: str, backend: str
) -> None:
    hostile = (await board_facts(demo_url)).deeds[0]
    await execute(demo_url, f"UPDATE deeds SET title = '{HOSTILE}' WHERE id = {hostile['id']}")
    facts = await board_facts(demo_url)
    assert len(facts.deeds) >= 2, "the demo must publish deeds for the board to show"
    async with live_server(demo_url) as base:
        for width in (360, 1280):
            tab = await open_tab(browser, width)
            page = tab.page
            response = await page.goto(base + "/")
            assert response is not None and response.status == 200
            top = facts.chain(facts.deeds[0]["cell_id"])[0]
            assert (await page.inner_text("h1")).startswith(top["name"])
            titles = await page.locator(".deed h3").all_inner_texts()
            assert titles == [d["title"] for d in facts.deeds]
            for deed in facts.deeds:
                card = page.locator(".deed").filter(has_text=deed["title"])
                assert await card.locator(".percent").inner_text() == f"{facts.percent(deed)}%"
                bar = card.locator("[role=progressbar]")
                assert await bar.get_attribute("aria-valuenow") == str(facts.percent(deed))
            # The title with markup is text on the page; its script never ran.
            assert HOSTILE in titles
            assert await page.evaluate("window.pwned") is None
            assert_no_personal_data(await page.content(), facts)
            # Nothing is wider than the phone's screen.
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await shot(page, f"board-{width}", backend)
            assert tab.refused == [] and tab.errors == []
            await page.close()

        # Down the grid by the links a resident taps: town, village, branch.
        tab = await open_tab(browser, 360)
        page = tab.page
        await page.goto(base + "/")
        target = facts.deeds[-1]
        chain = [c for c in facts.chain(target["cell_id"]) if c["level"] != "GROUP"]
        for cell in chain[1:]:
            await page.locator(".children a").filter(has_text=cell["name"]).first.click()
            await page.wait_for_url(f"**/cells/{cell['code']}")
            assert (await page.inner_text("h1")).startswith(cell["name"])
            assert_no_personal_data(await page.content(), facts)
        branch = chain[-1]
        assert branch["level"] == "BRANCH"
        assert await page.locator(".children").count() == 0
        crumbs = await page.locator(".crumbs a").all_inner_texts()
        assert crumbs == [c["name"] for c in chain[:-1]]
        shown = await page.locator(".deed h3").all_inner_texts()
        below = [d["title"] for d in facts.deeds if branch in facts.chain(d["cell_id"])]
        assert shown == below and target["title"] in shown
        await shot(page, "branch-360", backend)
        # And back up by the breadcrumb.
        await page.locator(".crumbs a").first.click()
        await page.wait_for_url(f"**/cells/{chain[0]['code']}")
        assert tab.refused == [] and tab.errors == []

        response = await page.goto(base + "/cells/NO-SUCH-CELL")
        assert response is not None and response.status == 404
        assert "找不到这个网格" in await page.inner_text("h1")


async def test_graphiql_loads_and_runs_a_query_with_no_cdn(
    browser: Browser, read_only_demo_url: str, backend: str
) -> None:
    async with live_server(read_only_demo_url) as base:
        tab = await open_tab(browser, 1280)
        page = tab.page
        await page.goto(base + "/graphql")
        editor = page.locator(".graphiql-query-editor .CodeMirror").first
        await editor.wait_for(state="visible", timeout=30_000)
        assert "Loading..." not in await page.inner_text("#graphiql")
        await page.locator(".graphiql-execute-button").click()
        result = page.locator(".graphiql-response")
        await result.filter(has_text="totalCount").wait_for(timeout=30_000)
        assert '"publicDeeds"' in await result.inner_text()
        await shot(page, "graphiql-1280", backend)
    assert tab.refused == [], "GraphiQL asked for files from outside the server"
    assert tab.errors == []
