"""An exhaustive reference optimiser for tiny instances, written straight from the contract.

It shares no code with the solver or the checker: it enumerates, for every need, every way to
fulfil it alone (lead, team, resource units), then searches all combinations under the people's
and resources' limits and the pins, maximising the priority sum and then minimising distance.
Keep instances tiny (a handful of people, needs and resources).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from .helpers import optimal_solution

RANK = {"DISTRICT": 0, "TOWN": 1, "VILLAGE": 2, "BRANCH": 3, "GROUP": 4}

Option = tuple[str | None, tuple[str, ...], tuple[tuple[str, int], ...], int]


class BruteForce:
    def __init__(self, inst: dict[str, Any]) -> None:
        self.inst = inst
        self.cells = {c["id"]: c for c in inst["cells"]}
        self.people = {p["id"]: p for p in inst.get("people", [])}
        self.resources = {r["id"]: r for r in inst.get("resources", [])}
        self.needs = list(inst["needs"])
        self.forbid = {(f["need"], f["person"]) for f in inst.get("forbid", [])}
        self.pins = [(p["need"], p["person"], p["role"]) for p in inst.get("pins", [])]

    # -- geometry
    def path(self, cell: str) -> list[str]:
        out = [cell]
        while self.cells[out[-1]].get("parent") is not None:
            out.append(self.cells[out[-1]]["parent"])
        return out

    def dist(self, a: str, b: str) -> int:
        pa, pb = self.path(a), self.path(b)
        common = next(c for c in pa if c in pb)
        return pa.index(common) + pb.index(common)

    def reaches(self, entity: dict[str, Any], cell: str) -> bool:
        up = self.path(entity["cell"])
        reach = entity.get("reach")
        if reach is None:
            top = up[-1]
        else:
            top = next((c for c in up if RANK[self.cells[c]["level"]] <= RANK[reach]), up[-1])
        return top in self.path(cell)

    @staticmethod
    def overlap(a: list[str] | None, b: list[str] | None) -> bool:
        return a is None or b is None or (a[0] <= b[1] and b[0] <= a[1])

    def eligible(self, entity: dict[str, Any], need: dict[str, Any], person: bool) -> bool:
        if not self.reaches(entity, need["cell"]):
            return False
        cats = entity.get("categories") or []
        if cats and need["category"] not in cats:
            return False
        if not self.overlap(entity.get("available"), need.get("window")):
            return False
        if person:
            hh = need.get("household")
            if hh is not None and entity.get("household") == hh:
                return False
            if (need["id"], entity["id"]) in self.forbid:
                return False
        return True

    # -- options of one need
    def options(self, need: dict[str, Any]) -> list[Option]:
        ppl = [p for p in self.people.values() if self.eligible(p, need, True)]
        if need.get("lead", True):
            leads: list[str | None] = [
                p["id"] for p in ppl if p.get("party_member", False) and p.get("max_lead", 0) >= 1
            ]
        else:
            leads = [None]
        hours = need.get("hours", 0)
        wanted: dict[str, int] = {}
        for item in need.get("resources", []):
            wanted[item["kind"]] = wanted.get(item["kind"], 0) + item["quantity"]
        allocs = self.allocations(need, wanted)
        out: list[Option] = []
        for lead in leads:
            members = [
                p
                for p in ppl
                if p["id"] != lead and p.get("max_deeds", 1) >= 1 and p.get("hours", 0) >= hours
            ]
            for team in combinations(members, need.get("volunteers", 0)):
                skills = set().union(*(p.get("skills", []) for p in team)) if team else set()
                if not set(need.get("skills", [])) <= skills:
                    continue
                d = sum(self.dist(p["cell"], need["cell"]) for p in team)
                if lead is not None:
                    d += self.dist(self.people[lead]["cell"], need["cell"])
                for alloc, ad in allocs:
                    out.append((lead, tuple(p["id"] for p in team), alloc, d + ad))
        return out

    def allocations(
        self, need: dict[str, Any], wanted: dict[str, int]
    ) -> list[tuple[tuple[tuple[str, int], ...], int]]:
        results: list[tuple[tuple[tuple[str, int], ...], int]] = [((), 0)]
        for kind, qty in wanted.items():
            pool = [
                r
                for r in self.resources.values()
                if r["kind"] == kind and r["capacity"] > 0 and self.eligible(r, need, False)
            ]
            ways: list[tuple[tuple[tuple[str, int], ...], int]] = []

            def split(
                i: int,
                left: int,
                acc: tuple[tuple[str, int], ...],
                d: int,
                pool: list[dict[str, Any]] = pool,
                ways: list[tuple[tuple[tuple[str, int], ...], int]] = ways,
            ) -> None:
                if left == 0:
                    ways.append((acc, d))
                    return
                if i == len(pool):
                    return
                r = pool[i]
                unit = self.dist(r["cell"], need["cell"])
                for q in range(min(left, r["capacity"]), -1, -1):
                    nxt = (*acc, (r["id"], q)) if q else acc
                    split(i + 1, left - q, nxt, d + q * unit)

            split(0, qty, (), 0)
            results = [(a + b, da + db) for a, da in results for b, db in ways]
        return results

    # -- the search
    def solve(self) -> tuple[int, int, dict[str, Option]] | None:
        """(priority, distance, {need: option}) of an optimum; None when the pins cannot hold."""
        needs = self.needs
        opts: list[list[Option]] = []
        pinned: set[str] = set()
        for n in needs:
            own = self.options(n)
            for need_id, person_id, role in self.pins:
                if need_id != n["id"]:
                    continue
                pinned.add(need_id)
                if role == "LEAD":
                    own = [o for o in own if o[0] == person_id]
                else:
                    own = [o for o in own if person_id in o[1]]
            opts.append(own)
        suffix = [0] * (len(needs) + 1)
        for i in range(len(needs) - 1, -1, -1):
            suffix[i] = suffix[i + 1] + needs[i]["priority"]

        best: list[Any] = [None]
        leads: dict[str, int] = {}
        deeds: dict[str, int] = {}
        hours: dict[str, float] = {}
        units: dict[str, int] = {}
        chosen: dict[str, Option] = {}

        def fits(o: Option, n: dict[str, Any]) -> bool:
            lead, team, alloc, _ = o
            if lead is not None and leads.get(lead, 0) + 1 > self.people[lead].get("max_lead", 0):
                return False
            for p in team:
                person = self.people[p]
                if deeds.get(p, 0) + 1 > person.get("max_deeds", 1):
                    return False
                if hours.get(p, 0) + n.get("hours", 0) > person.get("hours", 0):
                    return False
            return all(units.get(r, 0) + q <= self.resources[r]["capacity"] for r, q in alloc)

        def apply(o: Option, n: dict[str, Any], sign: int) -> None:
            lead, team, alloc, _ = o
            if lead is not None:
                leads[lead] = leads.get(lead, 0) + sign
            for p in team:
                deeds[p] = deeds.get(p, 0) + sign
                hours[p] = hours.get(p, 0) + sign * n.get("hours", 0)
            for r, q in alloc:
                units[r] = units.get(r, 0) + sign * q

        def rec(i: int, prio: int, dist: int) -> None:
            if best[0] is not None and prio + suffix[i] < best[0][0]:
                return
            if i == len(needs):
                if best[0] is None or (prio, -dist) > (best[0][0], -best[0][1]):
                    best[0] = (prio, dist, dict(chosen))
                return
            n = needs[i]
            for o in opts[i]:
                if fits(o, n):
                    apply(o, n, 1)
                    chosen[n["id"]] = o
                    rec(i + 1, prio + n["priority"], dist + o[3])
                    del chosen[n["id"]]
                    apply(o, n, -1)
            if n["id"] not in pinned:
                rec(i + 1, prio, dist)

        rec(0, 0, 0)
        result: tuple[int, int, dict[str, Option]] | None = best[0]
        return result

    def as_solution(self, result: tuple[int, int, dict[str, Option]]) -> dict[str, Any]:
        prio, dist, chosen = result
        deeds = [
            {
                "need": nid,
                "lead": o[0],
                "team": list(o[1]),
                "resources": [{"resource": r, "quantity": q} for r, q in o[2]],
                "explanation": ["brute force"],
            }
            for nid, o in chosen.items()
        ]
        unmatched = [
            {"need": n["id"], "reasons": ["OUTPRIORITISED"]}
            for n in self.needs
            if n["id"] not in chosen
        ]
        return optimal_solution(prio, dist, deeds, unmatched)
