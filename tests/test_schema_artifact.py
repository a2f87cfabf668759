"""The committed SDL (schema.graphql) is the schema the server runs: clients generate from it."""

from __future__ import annotations

from pathlib import Path

from sandan.schema.build import build_schema

SDL = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    expected = build_schema().as_str() + "\n"
    committed = SDL.read_text(encoding="utf-8")
    assert committed == expected, (
        "schema.graphql is out of date with the code: run `sandan schema > schema.graphql` "
        "and commit the result"
    )


def test_cli_prints_the_same_sdl(capsys: object) -> None:
    from sandan.cli import main

    assert main(["schema"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out == build_schema().as_str() + "\n"
