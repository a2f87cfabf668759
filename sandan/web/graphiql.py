"""GraphiQL at GET /graphql without a CDN: strawberry's page loads React and GraphiQL from a
CDN and shows "Loading..." for ever where none is reachable; this one loads the same
versions (react 18.2.0, graphiql 3.8.3, @graphiql/plugin-explorer 1.0.2) from
sandan/web/static/vendor/graphiql."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def graphiql_page() -> str:
    return (files("sandan.web") / "templates" / "graphiql.html").read_text(encoding="utf-8")


class OfflineGraphiQL:
    """Mixed into the strawberry view before its base: the IDE page it serves to browsers."""

    @property
    def graphql_ide_html(self) -> str:
        return graphiql_page()
