"""The implementation plan: rewritten freely before publication; once published, a moved due
date needs a reason and is recorded in the public history that the board shows."""

from __future__ import annotations

from tests.api.deeds.helpers import (
    APPROVE,
    PUBLISH,
    deed_in,
    place_of,
    refused_with,
    set_scale,
    step,
)
from tests.api.helpers import sql
from tests.conftest import api_client

SET_PLAN = """mutation($id: ID!, $plan: String, $milestones: [MilestoneInput!]!) {
  setDeedPlan(id: $id, plan: $plan, milestones: $milestones) {
    deed { plan milestones { seq title dueOn } } errors { code field message } } }"""
MOVE = """mutation($deed: ID!, $seq: Int!, $dueOn: Date, $doneOn: Date, $reason: String) {
  updateMilestone(deed: $deed, seq: $seq, dueOn: $dueOn, doneOn: $doneOn, reason: $reason) {
    deed { milestones { seq dueOn doneOn } history { kind note } }
    errors { code field message } } }"""
BOARD = """query($cell: String) { publicDeeds(cell: $cell, first: 100) {
  nodes { id dateChanges { note } } } }"""


async def test_a_plan_is_rewritten_before_publication_and_dated_changes_are_public(
    demo_url: str,
) -> None:
    p = await place_of(demo_url, await deed_in(demo_url, "PROPOSED"))
    await set_scale(demo_url, p.deed, "SMALL")
    steps = [{"title": "入户核实", "dueOn": "2030-03-01"}, {"title": "施工", "dueOn": "2030-04-01"}]
    async with api_client(demo_url) as client:
        planned = await step(
            client, p.branch, SET_PLAN, id=p.deed_id, plan="分两步", milestones=steps
        )
        assert planned["errors"] == [], planned
        assert [m["title"] for m in planned["deed"]["milestones"]] == ["入户核实", "施工"]
        # Before publication a date moves silently.
        quiet = await step(client, p.branch, MOVE, deed=p.deed_id, seq=1, dueOn="2030-03-05")
        assert [h["kind"] for h in quiet["deed"]["history"]] == []
        await step(client, p.village, APPROVE, id=p.deed_id)
        await step(client, p.village, PUBLISH, id=p.deed_id)
        late = await step(client, p.branch, SET_PLAN, id=p.deed_id, plan="x", milestones=[])
        assert refused_with(late) == {("ILLEGAL_TRANSITION", "id")}
        silent = await step(client, p.branch, MOVE, deed=p.deed_id, seq=2, dueOn="2030-05-01")
        assert refused_with(silent) == {("REQUIRED", "reason")}
        moved = await step(
            client, p.branch, MOVE, deed=p.deed_id, seq=2, dueOn="2030-05-01", reason="雨季延误"
        )
        notes = [h["note"] for h in moved["deed"]["history"] if h["kind"] == "MILESTONE"]
        assert notes == ["第2步「施工」计划日期 2030-04-01 → 2030-05-01（雨季延误）"]
        board = await client.post(
            "/graphql", json={"query": BOARD, "variables": {"cell": p.branch_code}}
        )
        nodes = board.json()["data"]["publicDeeds"]["nodes"]
        shown = next(n for n in nodes if n["id"] == p.deed_id)
        assert shown["dateChanges"] == [{"note": notes[0]}]
        page = await client.get(f"/cells/{p.branch_code}")
        assert "雨季延误" in page.text
    rows = await sql(demo_url, f"SELECT due_on FROM deed_milestones WHERE deed_id = {p.deed}")
    assert len(rows) == 2
