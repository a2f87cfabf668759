"""The CP-SAT model of a set of needs, written straight into the model proto from numpy arrays.

Variables, in this order: one `y` per need (fulfilled or not), then one boolean per usable
(need, lead) pair, one per usable (need, member) pair, and one integer (units, 0..min(q, left))
per usable (need, resource) pair. Only variables that can be non-zero are created: a person with
no lead capacity left gets no lead variables, and so on.

Why not `CpModel.new_bool_var` and `model.add(...)`: they cost ~17 µs a variable in Python, under
the GIL, so the two LNS threads built their models one after the other (town: 11.5 s of a 29 s
run went to building). Here pairs are selected, grouped and numbered with numpy; the proto gets
all variables in one `extend` and a few list `extend`s per constraint.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from ortools.sat.python import cp_model, cp_model_helper

from .assignment import Assignment, Deed
from .eligibility import IntArray, Pairs
from .instance import N_KINDS
from .problem import Problem
from .prune import rows_of

INT_MAX = cp_model.INT_MAX


def _positions(pairs: Pairs, needs: IntArray) -> tuple[IntArray, IntArray]:
    """Indices into `pairs` of the candidates of `needs`, need by need, and each one's need slot."""
    lens = pairs.ptr[needs + 1] - pairs.ptr[needs]
    slot = np.repeat(np.arange(len(needs), dtype=np.int64), lens)
    return rows_of(pairs, needs), slot


def _groups(key: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Stable order of `key`, and the start and end (in that order) of each run of equal keys."""
    order = np.argsort(key, kind="stable")
    if len(key) == 0:
        return order, order, order
    ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    ends = np.r_[starts[1:], len(ks)].astype(np.int64)
    return order, starts, ends


class SubModel:
    """Variables and constraints of one sub-model, with what is needed to hint and read it."""

    def __init__(self, prob: Problem, needs: Iterable[int], left: Assignment) -> None:
        self.prob = prob
        self.m = cp_model.CpModel()
        self.needs = [int(n) for n in needs]
        self.nd = np.array(self.needs, dtype=np.int64)
        self._pins()
        self._pairs(left)
        self._variables()
        self._pin_rows()
        self._need_rows()
        self._exclusive_rows()
        self._capacity_rows(left)
        self._objective_terms()

    # ------------------------------------------------------------------ building, step by step
    def _pins(self) -> None:
        n_people = len(self.prob.arr.p_cell)
        ny = len(self.needs)
        self.pin_lead = np.full(ny, -1, dtype=np.int64)
        self.pinned_y = np.zeros(ny, dtype=bool)
        team: list[int] = []  # slot * n_people + person
        for s, n in enumerate(self.needs):
            ps = self.prob.pins.get(n)
            if ps is not None:
                self.pinned_y[s] = True
                self.pin_lead[s] = ps.lead
                team.extend(s * n_people + p for p in ps.team)
        self.pin_team = np.array(sorted(team), dtype=np.int64)

    def _pairs(self, left: Assignment) -> None:
        """The usable candidate pairs of the needs, as arrays of (slot, entity, distance)."""
        arr, c, nd = self.prob.arr, self.prob.cands, self.nd
        n_people = len(arr.p_cell)
        # Lead pairs: the need asks for a lead and the person can still lead (or is pinned).
        idx, slot = _positions(c.lead, nd)
        ent = c.lead.ent[idx]
        keep = arr.n_lead[nd][slot] & ((left.lead_left[ent] > 0) | (self.pin_lead[slot] == ent))
        self.l_slot, self.l_ent, self.l_dist = slot[keep], ent[keep], c.lead.dist[idx][keep]
        # Team pairs: the person has a deed and the need's hours left (or is pinned).
        idx, slot = _positions(c.team, nd)
        ent = c.team.ent[idx]
        usable = (left.deeds_left[ent] > 0) & (left.hours_left[ent] >= arr.n_hours[nd][slot])
        if len(self.pin_team):
            usable |= np.isin(slot * n_people + ent, self.pin_team)
        keep = (arr.n_vol[nd][slot] > 0) & usable
        self.t_slot, self.t_ent, self.t_dist = slot[keep], ent[keep], c.team.dist[idx][keep]
        # Resource pairs: units of a requested kind that the resource still has.
        self.q_of = np.zeros((len(nd), N_KINDS), dtype=np.int64)
        rank_of = np.zeros((len(nd), N_KINDS), dtype=np.int64)  # the kind's place in the items
        for s, n in enumerate(self.needs):
            for i, (k, units) in enumerate(arr.n_items[n]):
                self.q_of[s, k] = units
                rank_of[s, k] = i
        idx, slot = _positions(c.res, nd)
        ent = c.res.ent[idx]
        kind = arr.r_kind[ent]
        q = self.q_of[slot, kind]
        keep = (q > 0) & (left.cap_left[ent] > 0)
        idx, slot, ent, kind, q = idx[keep], slot[keep], ent[keep], kind[keep], q[keep]
        # Kind-major within a need (the order a deed lists its resources in); stable otherwise.
        order = np.lexsort((np.arange(len(idx)), rank_of[slot, kind], slot))
        self.r_slot, self.r_ent, self.r_kind = slot[order], ent[order], kind[order]
        self.r_dist = c.res.dist[idx][order]
        self.r_ub = np.minimum(q[order], left.cap_left[self.r_ent])
        ny, nl, nt = len(nd), len(self.l_slot), len(self.t_slot)
        self.off_l, self.off_t, self.off_r = ny, ny + nl, ny + nl + nt
        self.n_vars = self.off_r + len(self.r_slot)

    def _variables(self) -> None:
        arr, ny = self.prob.arr, len(self.needs)
        n_people = len(arr.p_cell)
        nl, nt = len(self.l_slot), len(self.t_slot)
        # Skills are held by team members: a need asking for skills and no team cannot be done.
        skills = np.array([bool(arr.n_skills[n]) for n in self.needs], dtype=bool)
        self.impossible = skills & (arr.n_vol[self.nd] == 0)
        y_lo = (self.pinned_y & ~self.impossible).astype(np.int64)
        y_hi = np.where(self.impossible, 0, 1)
        fixed_one = np.zeros(nl + nt, dtype=bool)  # pinned pairs must be chosen
        fixed_one[:nl] = self.pin_lead[self.l_slot] == self.l_ent
        if len(self.pin_team):
            fixed_one[nl:] = np.isin(self.t_slot * n_people + self.t_ent, self.pin_team)
        # One proto per distinct domain, copied by one `extend` (~0.5 µs a variable).
        protos: dict[tuple[int, int], cp_model_helper.IntegerVariableProto] = {}

        def dom(lo: int, hi: int) -> cp_model_helper.IntegerVariableProto:
            v = protos.get((lo, hi))
            if v is None:
                v = protos[lo, hi] = _var_proto(lo, hi)
            return v

        batch = [dom(lo, hi) for lo, hi in zip(y_lo.tolist(), y_hi.tolist(), strict=True)]
        batch += [dom(0, 1)] * (nl + nt)
        for i in np.flatnonzero(fixed_one).tolist():
            batch[ny + i] = dom(1, 1)
        batch += [dom(0, ub) for ub in self.r_ub.tolist()]
        self.m.proto.variables.extend(batch)

    def _pin_rows(self) -> None:
        # A pin that cannot be honoured (the person has no usable pair, or the need cannot be
        # done at all) makes the model infeasible: a row with no terms that must equal 1. Another
        # person must never stand in for a pinned one.
        n_people, ny = len(self.prob.arr.p_cell), len(self.needs)
        want_l = (np.arange(ny) * n_people + self.pin_lead)[self.pin_lead >= 0]
        have_l = self.l_slot * n_people + self.l_ent
        have_t = self.t_slot * n_people + self.t_ent
        if (
            (~np.isin(want_l, have_l)).any()
            or (~np.isin(self.pin_team, have_t)).any()
            or (self.pinned_y & self.impossible).any()
        ):
            _linear(self.m, [], [], 1, 1)

    def _exclusive_rows(self) -> None:
        """A person may not be both the lead and a member of one deed."""
        n_people = len(self.prob.arr.p_cell)
        have_l = self.l_slot * n_people + self.l_ent
        have_t = self.t_slot * n_people + self.t_ent
        _, li, ti = np.intersect1d(have_l, have_t, assume_unique=True, return_indices=True)
        cons = self.m.proto.constraints
        for a, b in zip((self.off_l + li).tolist(), (self.off_t + ti).tolist(), strict=True):
            cons.add().at_most_one.literals.extend([a, b])

    def _need_rows(self) -> None:
        """Links between y and its pairs: leads, members, skills, units of each kind."""
        arr, m, ny = self.prob.arr, self.m, len(self.needs)
        l_ptr = np.searchsorted(self.l_slot, np.arange(ny + 1))
        t_ptr = np.searchsorted(self.t_slot, np.arange(ny + 1))
        r_ptr = np.searchsorted(self.r_slot, np.arange(ny + 1))
        t_ent = self.t_ent.tolist()
        vol = arr.n_vol[self.nd].tolist()
        for s, n in enumerate(self.needs):
            if arr.n_lead[n]:
                a, b = int(l_ptr[s]), int(l_ptr[s + 1])
                _linear(m, [*range(self.off_l + a, self.off_l + b), s], [1] * (b - a) + [-1], 0, 0)
            v = vol[s]
            if v > 0:
                a, b = int(t_ptr[s]), int(t_ptr[s + 1])
                _linear(m, [*range(self.off_t + a, self.off_t + b), s], [1] * (b - a) + [-v], 0, 0)
                for sk in arr.n_skills[n]:
                    holders = [self.off_t + j for j in range(a, b) if sk in arr.p_skills[t_ent[j]]]
                    _linear(m, [*holders, s], [1] * len(holders) + [-1], 0, INT_MAX)
            if arr.n_items[n]:
                a, b = int(r_ptr[s]), int(r_ptr[s + 1])
                kinds = self.r_kind[a:b].tolist()
                for k, q in arr.n_items[n]:
                    js = [self.off_r + a + j for j, kk in enumerate(kinds) if kk == k]
                    _linear(m, [*js, s], [1] * len(js) + [-q], 0, 0)

    def _capacity_rows(self, left: Assignment) -> None:
        """One row per person and resource whose pairs could over-use what it has left."""
        hours = self.prob.arr.n_hours[self.nd][self.t_slot]
        l_var = np.arange(self.off_l, self.off_t, dtype=np.int64)
        t_var = np.arange(self.off_t, self.off_r, dtype=np.int64)
        r_var = np.arange(self.off_r, self.n_vars, dtype=np.int64)
        ones_l = np.ones(len(l_var), dtype=np.int64)
        ones_t = np.ones(len(t_var), dtype=np.int64)
        for ent, var, coef, reach, cap in (
            (self.l_ent, l_var, ones_l, ones_l, left.lead_left),
            (self.t_ent, t_var, ones_t, ones_t, left.deeds_left),
            (self.t_ent, t_var, hours, hours, left.hours_left),
            # A resource pair carries up to min(q, units left), not one unit.
            (self.r_ent, r_var, np.ones(len(r_var), dtype=np.int64), self.r_ub, left.cap_left),
        ):
            order, starts, ends = _groups(ent)
            if not len(starts):
                continue
            most = np.add.reduceat(reach[order], starts).tolist()
            ents = ent[order][starts].tolist()
            var_o, coef_o = var[order].tolist(), coef[order].tolist()
            for e, a, b, r in zip(ents, starts.tolist(), ends.tolist(), most, strict=True):
                limit = max(0, int(cap[e]))
                if r > limit:
                    _linear(self.m, var_o[a:b], coef_o[a:b], -INT_MAX, limit)

    def _objective_terms(self) -> None:
        ny = len(self.needs)
        self.priority = self.prob.arr.n_priority[self.nd].astype(np.int64)
        dist = np.concatenate([self.l_dist, self.t_dist, self.r_dist]).astype(np.int64)
        pair_var = np.arange(ny, self.n_vars, dtype=np.int64)
        nz = dist != 0
        self.dist_vars, self.dist_coefs = pair_var[nz], dist[nz]
        # An upper bound on any solution's distance: per need, its farthest lead, `volunteers`
        # times its farthest member and, per kind, q times its farthest resource.
        worst = np.zeros(ny, dtype=np.int64)
        np.maximum.at(worst, self.l_slot, self.l_dist)
        far_t = np.zeros(ny, dtype=np.int64)
        np.maximum.at(far_t, self.t_slot, self.t_dist)
        worst += self.prob.arr.n_vol[self.nd] * far_t
        far_r = np.zeros((ny, N_KINDS), dtype=np.int64)
        np.maximum.at(far_r, (self.r_slot, self.r_kind), self.r_dist)
        worst += (far_r * self.q_of).sum(axis=1)
        self.max_distance = int(worst.sum())

    # ------------------------------------------------------------------ objectives
    def set_objective(self, vs: IntArray, cs: IntArray, maximize: bool) -> None:
        """A linear objective over proto variable indices."""
        self.m.clear_objective()  # type: ignore[no-untyped-call]
        obj = self.m.proto.objective
        obj.vars.extend(vs.tolist())
        if maximize:
            obj.coeffs.extend((-cs).tolist())
            obj.scaling_factor = -1.0
        else:
            obj.coeffs.extend(cs.tolist())
            obj.scaling_factor = 1.0

    def maximize_priority(self) -> None:
        self.set_objective(np.arange(len(self.needs), dtype=np.int64), self.priority, True)

    def minimize_distance(self) -> None:
        self.set_objective(self.dist_vars, self.dist_coefs, False)

    def maximize_weighted(self, big: int) -> None:
        """`big * priority - distance`: lexicographic when big exceeds any distance."""
        vs = np.concatenate([np.arange(len(self.needs), dtype=np.int64), self.dist_vars])
        cs = np.concatenate([big * self.priority, -self.dist_coefs])
        self.set_objective(vs, cs, True)

    def require_priority(self, at_least: int) -> None:
        _linear(self.m, list(range(len(self.needs))), self.priority.tolist(), at_least, INT_MAX)

    # ------------------------------------------------------------------ hints and answers
    def hint(self, deeds: dict[int, Deed]) -> None:
        """Hint every variable with its value in `deeds` (needs absent from it: unfulfilled)."""
        arr = self.prob.arr
        n_people, n_res = len(arr.p_cell), len(arr.r_cap)
        ny = len(self.needs)
        y = np.zeros(ny, dtype=np.int64)
        lead = np.full(ny, -2, dtype=np.int64)
        team: list[int] = []
        res_k: list[int] = []
        res_q: list[int] = []
        for s, n in enumerate(self.needs):
            d = deeds.get(n)
            if d is None:
                continue
            y[s] = 1
            lead[s] = d.lead
            team.extend(s * n_people + p for p in d.team)
            for r, q in d.res:
                res_k.append(s * n_res + r)
                res_q.append(q)
        lv = (lead[self.l_slot] == self.l_ent).astype(np.int64)
        tv = np.isin(self.t_slot * n_people + self.t_ent, np.array(team, dtype=np.int64))
        rv = np.zeros(len(self.r_slot), dtype=np.int64)
        if res_k:
            keys = np.array(res_k, dtype=np.int64)
            order = np.argsort(keys)
            ks, qs = keys[order], np.array(res_q, dtype=np.int64)[order]
            mine = self.r_slot * n_res + self.r_ent
            at = np.minimum(np.searchsorted(ks, mine), len(ks) - 1)
            rv = np.where(ks[at] == mine, qs[at], 0)
        h = self.m.proto.solution_hint
        h.vars.extend(range(self.n_vars))
        h.values.extend(np.concatenate([y, lv, tv.astype(np.int64), rv]).tolist())

    def clear_hint(self) -> None:
        self.m.clear_hints()  # type: ignore[no-untyped-call]

    def read(self, solver: cp_model.CpSolver) -> dict[int, Deed]:
        """The deeds of the solver's solution, each with its lead, team, units and distance."""
        sol = np.asarray(solver.response_proto.solution, dtype=np.int64)
        ny = len(self.needs)
        lv = sol[self.off_l : self.off_t] > 0
        tv = sol[self.off_t : self.off_r] > 0
        rq = sol[self.off_r : self.n_vars]
        rv = rq > 0
        lead = np.full(ny, -1, dtype=np.int64)
        lead[self.l_slot[lv]] = self.l_ent[lv]
        dist = np.zeros(ny, dtype=np.int64)
        np.add.at(dist, self.l_slot[lv], self.l_dist[lv])
        np.add.at(dist, self.t_slot[tv], self.t_dist[tv])
        np.add.at(dist, self.r_slot[rv], self.r_dist[rv] * rq[rv])
        t_slot, t_ent = self.t_slot[tv].tolist(), self.t_ent[tv].tolist()
        r_slot, r_ent, r_q = self.r_slot[rv].tolist(), self.r_ent[rv].tolist(), rq[rv].tolist()
        teams: dict[int, list[int]] = {}
        for s, p in zip(t_slot, t_ent, strict=True):
            teams.setdefault(s, []).append(p)
        units: dict[int, list[tuple[int, int]]] = {}
        for s, r, q in zip(r_slot, r_ent, r_q, strict=True):
            units.setdefault(s, []).append((r, q))
        out: dict[int, Deed] = {}
        lead_l, dist_l = lead.tolist(), dist.tolist()
        for s in np.flatnonzero(sol[:ny] > 0).tolist():
            n = self.needs[s]
            out[n] = Deed(lead_l[s], tuple(teams.get(s, ())), tuple(units.get(s, ())), dist_l[s])
        return out

    # ------------------------------------------------------------------ for callers adding rows
    def y(self, n: int) -> cp_model.IntVar:
        return self.m.get_bool_var_from_proto_index(self.needs.index(n))

    def pair_vars(self, n: int, person: int, role: str) -> list[cp_model.IntVar]:
        """The variables choosing `person` as lead (role LEAD) or member of need n's deed."""
        s = self.needs.index(n)
        if role == "LEAD":
            hit = np.flatnonzero((self.l_slot == s) & (self.l_ent == person)) + self.off_l
        else:
            hit = np.flatnonzero((self.t_slot == s) & (self.t_ent == person)) + self.off_t
        return [self.m.get_bool_var_from_proto_index(int(i)) for i in hit]


def _linear(m: cp_model.CpModel, vs: list[int], cs: list[int], lo: int, hi: int) -> None:
    lin = m.proto.constraints.add().linear
    lin.vars.extend(vs)
    lin.coeffs.extend(cs)
    lin.domain.extend([lo, hi])


def _var_proto(lo: int, hi: int) -> cp_model_helper.IntegerVariableProto:
    """A variable proto with domain [lo, hi], to append (copied) many times over."""
    v = cp_model_helper.IntegerVariableProto()
    v.domain.extend([lo, hi])
    return v
