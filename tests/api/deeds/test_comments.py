"""Residents' public comments: anyone comments on a published deed (rate-limited per client
address), staff hide an abusive one, recorded in the history, and the board leaves it out."""

from __future__ import annotations

from tests.api.deeds.helpers import deed_in, place_of, refused_with, step
from tests.api.helpers import gid
from tests.conftest import api_client

COMMENT = """mutation($deed: ID!, $text: String!) { commentOnDeed(deed: $deed, text: $text) {
  deed { comments { id body } } errors { code field message } } }"""
HIDE = """mutation($id: ID!, $reason: String!) { hideDeedComment(id: $id, reason: $reason) {
  deed { comments { id } history { kind note } } errors { code field message } } }"""
BOARD = """query($cell: String) { publicDeeds(cell: $cell, first: 100) {
  nodes { id comments { body } } } }"""


async def test_residents_comment_staff_hide_abuse_and_comments_are_rate_limited(
    demo_url: str,
) -> None:
    p = await place_of(demo_url, await deed_in(demo_url, "PUBLISHED"))
    hidden_deed = await deed_in(demo_url, "PROPOSED")
    async with api_client(demo_url, comment_burst=2, comment_rate=0.001) as client:
        first = await step(client, None, COMMENT, deed=p.deed_id, text="路灯修好了，谢谢")
        assert [c["body"] for c in first["deed"]["comments"]] == ["路灯修好了，谢谢"]
        abuse = await step(client, None, COMMENT, deed=p.deed_id, text="骂人的话")
        abusive_id = abuse["deed"]["comments"][-1]["id"]
        limited = await step(client, None, COMMENT, deed=p.deed_id, text="第三条")
        assert refused_with(limited) == {("RATE_LIMITED", None)}
        # Unpublished deeds take no comments; the public cannot hide one.
        unpublished = await step(
            client, None, COMMENT, deed=gid("Deed", hidden_deed), text="看不到的"
        )
        assert refused_with(unpublished) == {("NOT_FOUND", "deed")}
        public = await step(client, None, HIDE, id=abusive_id, reason="辱骂")
        assert refused_with(public) == {("FORBIDDEN", None)}
        hidden = await step(client, p.village, HIDE, id=abusive_id, reason="辱骂")
        assert [c["id"] for c in hidden["deed"]["comments"]] == [first["deed"]["comments"][0]["id"]]
        assert hidden["deed"]["history"][-1] == {
            "kind": "COMMENT_HIDDEN",
            "note": "a comment was hidden: 辱骂",
        }
        board = await client.post(
            "/graphql", json={"query": BOARD, "variables": {"cell": p.branch_code}}
        )
        shown = next(
            n for n in board.json()["data"]["publicDeeds"]["nodes"] if n["id"] == p.deed_id
        )
        assert shown["comments"] == [{"body": "路灯修好了，谢谢"}]
