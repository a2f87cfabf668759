"""The whole path over HTTP, on SQLite and PostgreSQL: approve → publish → monthly reports
(one month skipped → overdue) → the joint meeting's agenda lists it → completed → the
household rates it → the public board shows the rating."""

from __future__ import annotations

from typing import Any

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.deeds.helpers import (
    APPROVE,
    PUBLISH,
    START,
    deed_in,
    place_of,
    step,
)
from tests.api.deeds.test_reports import REPORT, month
from tests.api.helpers import data_of, execute, gid, scalar
from tests.conftest import api_client

COMPLETE = """mutation($id: ID!) { completeDeed(id: $id) {
  deed { status } feedbackCode errors { code field message } } }"""
RATE = """mutation($code: String!, $rating: Int!, $comment: String) {
  rateDeed(code: $code, rating: $rating, comment: $comment) {
    deed { status } errors { code field message } } }"""
AGENDA = """query($cell: ID!, $month: String!) { jointMeetingAgenda(cell: $cell, month: $month) {
  branches { branch { code } items { id reasons deed { id } lead { id }
    lastReport { month percent } decisions { decision done } } }
  followUps { decision done owner { id } } } }"""
AGENDA_MONTH = """query($cell: ID!, $month: String!) {
  jointMeetingAgenda(cell: $cell, month: $month) { month } }"""
DECIDE = """mutation($item: ID!, $owner: ID) {
  recordMeetingDecision(agendaItem: $item, decision: "督促每月按时报告进度", owner: $owner,
    dueOn: "2030-01-31") { decision { id done } errors { code field message } } }"""
DONE = """mutation($id: ID!) { markMeetingDecisionDone(id: $id) {
  decision { done doneOn } errors { code } } }"""
BOARD = """query($cell: String) { publicDeeds(cell: $cell, first: 100) { nodes {
  id status progress { percent source } satisfaction { average ratings } } } }"""


async def as_token(client: Any, token: str | None, query: str, **variables: Any) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return data_of(response.json())


async def test_approve_publish_report_agenda_complete_rate_and_the_board_shows_it(
    demo_url: str,
) -> None:
    p = await place_of(demo_url, await deed_in(demo_url, "PROPOSED"))
    need = f"(SELECT need_id FROM deeds WHERE id = {p.deed})"
    await execute(
        demo_url,
        f"UPDATE needs SET scale = 'SMALL' WHERE id = {need}",
        # Its plan's steps are done: only the monthly reports decide whether it is overdue.
        f"UPDATE deed_milestones SET done_on = due_on WHERE deed_id = {p.deed}",
    )
    village_pk = await scalar(
        demo_url, "SELECT id FROM cells WHERE code = :c", {"c": p.village_code}
    )
    lead = await scalar(demo_url, f"SELECT lead_id FROM deeds WHERE id = {p.deed}")
    async with api_client(demo_url) as client:
        for token, mutation in ((p.village, APPROVE), (p.village, PUBLISH), (p.branch, START)):
            assert (await step(client, token, mutation, id=p.deed_id))["errors"] == []
        for back, percent in ((3, 20), (2, 40)):
            answer = await step(
                client,
                p.branch,
                REPORT,
                deed=p.deed_id,
                month=month(back),
                percent=percent,
                text=f"完成第{4 - back}阶段",
            )
            assert answer["errors"] == [], answer
        # Last month was skipped: the deed is overdue.
        assert answer["deed"]["progress"]["overdue"] is True

        agenda = (
            await as_token(client, p.village, AGENDA, cell=gid("Cell", village_pk), month=month(0))
        )["jointMeetingAgenda"]
        items = {
            i["deed"]["id"]: (b["branch"]["code"], i)
            for b in agenda["branches"]
            for i in b["items"]
            if i["deed"]
        }
        branch_code, item = items[p.deed_id]
        assert branch_code == p.branch_code
        assert "OVERDUE" in item["reasons"]
        assert item["lastReport"] == {"month": f"{month(2)}-01", "percent": 40}
        assert item["lead"] == ({"id": gid("Person", lead)} if lead else None)
        decided = (
            await as_token(
                client,
                p.village,
                DECIDE,
                item=item["id"],
                owner=gid("Person", lead) if lead else None,
            )
        )["recordMeetingDecision"]
        assert decided["errors"] == [] and decided["decision"]["done"] is False

        # Last month's report arrives; the deed is completed and the household rates it.
        await step(
            client, p.branch, REPORT, deed=p.deed_id, month=month(1), percent=90, text="主体完工"
        )
        completed = await step(client, p.branch, COMPLETE, id=p.deed_id)
        assert completed["deed"]["status"] == "COMPLETED"
        code = completed["feedbackCode"]
        assert code and len(code) == 10
        rated = await step(client, None, RATE, code=code.lower(), rating=2, comment="进度太慢")
        assert rated["errors"] == [] and rated["deed"]["status"] == "EVALUATED"
        again = await step(client, None, RATE, code=code, rating=5)
        assert {(e["code"], e["field"]) for e in again["errors"]} == {("NOT_FOUND", "code")}

        # The public board (no token) shows the rating and the finished deed at 100%.
        board = (await as_token(client, None, BOARD, cell=p.branch_code))["publicDeeds"]
        shown = next(n for n in board["nodes"] if n["id"] == p.deed_id)
        assert shown["status"] == "EVALUATED"
        assert shown["satisfaction"] == {"average": 2.0, "ratings": 1}
        assert shown["progress"] == {"percent": 100, "source": "REPORTS"}
        page = await client.get(f"/cells/{p.branch_code}")
        assert page.status_code == 200 and "群众评价 <strong>2.0</strong>" in page.text

        # The decision is done; the next month's meeting sees it as a follow-up, done, and
        # the poorly rated deed is on that agenda again.
        decision_id = decided["decision"]["id"]
        marked = await as_token(client, p.village, DONE, id=decision_id)
        assert marked["markMeetingDecisionDone"]["decision"]["done"] is True
        nxt = (
            await as_token(client, p.village, AGENDA, cell=gid("Cell", village_pk), month=month(-1))
        )["jointMeetingAgenda"]
        assert [(f["decision"], f["done"]) for f in nxt["followUps"]] == [
            ("督促每月按时报告进度", True)
        ]
        later = [
            i
            for b in nxt["branches"]
            for i in b["items"]
            if i["deed"] and i["deed"]["id"] == p.deed_id
        ]
        assert later and later[0]["reasons"] == ["LOW_RATING"]
        assert later[0]["decisions"] == [{"decision": "督促每月按时报告进度", "done": True}]


async def test_the_agenda_is_for_staff_of_the_cell_only(demo_url: str) -> None:
    village = await scalar(demo_url, "SELECT MIN(id) FROM cells WHERE level = 'VILLAGE'")
    other = await scalar(
        demo_url, f"SELECT code FROM cells WHERE level = 'VILLAGE' AND id <> {village} LIMIT 1"
    )
    outsider = await make_token(demo_url, Role.VILLAGE_STAFF, other)
    variables = {"cell": gid("Cell", village), "month": month(0)}
    async with api_client(demo_url) as client:
        for token in (None, outsider):
            headers = {"authorization": f"Bearer {token}"} if token else {}
            body = (
                await client.post(
                    "/graphql",
                    json={"query": AGENDA_MONTH, "variables": variables},
                    headers=headers,
                )
            ).json()
            assert body.get("data") is None, body
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
