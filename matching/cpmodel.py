"""The CP-SAT model of a set of needs, written straight into the model proto from numpy arrays.

Variables, in this order: one `y` per need (fulfilled or not), then one boolean per usable
(need, lead) pair, one per usable (need, member) pair, and one integer (units, 0..min(q, left))
per usable (need, resource) pair. Only variables that can be non-zero are created: a person with
no lead capacity left gets no lead variables, and so on.

Why not `CpModel.new_bool_var` and `model.add(...)`: they cost ~17 µs a variable in Python, under
the GIL, so the two LNS threads built their models one after the other (town: 11.5 s of a 29 s
run went to building). Here pairs are selected, grouped and numbered with numpy; the proto gets
one `extend` per variable kind and a few list `extend`s per constraint.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from ortools.sat.python import cp_model, cp_model_helper

from .assignment import Assignment, Deed
from .eligibility import IntArray, Pairs
from .problem import Problem

INT_MAX = cp_model.INT_MAX
N_KINDS = 8  # instance.KINDS


def _positions(pairs: Pairs, needs: IntArray) -> tuple[IntArray, IntArray]:
    """Indices into `pairs` of the candidates of `needs`, need by need, and each one's need slot."""
    starts = pairs.ptr[needs]
    lens = pairs.ptr[needs + 1] - starts
    slot = np.repeat(np.arange(len(needs), dtype=np.int64), lens)
    first = np.repeat(np.cumsum(lens) - lens, lens)
    idx = np.repeat(starts, lens) + (np.arange(len(slot), dtype=np.int64) - first)
    return idx, slot


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
        arr, c = prob.arr, prob.cands
        self.prob = prob
        self.m = cp_model.CpModel()
        proto = self.m.proto
        self.needs = [int(n) for n in needs]
        nd = np.array(self.needs, dtype=np.int64)
        self.nd = nd
        ny = len(nd)
        n_people = len(arr.p_cell)
        vol = arr.n_vol[nd]
        hours = arr.n_hours[nd]
        pin_lead = np.full(ny, -1, dtype=np.int64)
        pinned_y = np.zeros(ny, dtype=bool)
        pin_team: list[int] = []  # slot * n_people + person
        for s, n in enumerate(self.needs):
            ps = prob.pins.get(n)
            if ps is not None:
                pinned_y[s] = True
                pin_lead[s] = ps.lead
                pin_team.extend(s * n_people + p for p in ps.team)
        pin_team_keys = np.array(sorted(pin_team), dtype=np.int64)

        # --- lead pairs: the need asks for a lead and the person can still lead (or is pinned)
        idx, slot = _positions(c.lead, nd)
        ent = c.lead.ent[idx]
        keep = arr.n_lead[nd][slot] & ((left.lead_left[ent] > 0) | (pin_lead[slot] == ent))
        self.l_slot, self.l_ent, self.l_dist = slot[keep], ent[keep], c.lead.dist[idx][keep]
        # --- team pairs: the person has a deed and the need's hours left (or is pinned)
        idx, slot = _positions(c.team, nd)
        ent = c.team.ent[idx]
        usable = (left.deeds_left[ent] > 0) & (left.hours_left[ent] >= hours[slot])
        if len(pin_team_keys):
            usable |= np.isin(slot * n_people + ent, pin_team_keys)
        keep = (vol[slot] > 0) & usable
        self.t_slot, self.t_ent, self.t_dist = slot[keep], ent[keep], c.team.dist[idx][keep]
        # --- resource pairs: units of a requested kind the resource still has, kind by kind
        q_of = np.zeros((ny, N_KINDS), dtype=np.int64)
        rank_of = np.zeros((ny, N_KINDS), dtype=np.int64)  # the kind's place in the need's items
        for s, n in enumerate(self.needs):
            for i, (k, units) in enumerate(arr.n_items[n]):
                q_of[s, k] = units
                rank_of[s, k] = i
        idx, slot = _positions(c.res, nd)
        ent = c.res.ent[idx]
        kind = arr.r_kind[ent]
        q = q_of[slot, kind]
        keep = (q > 0) & (left.cap_left[ent] > 0)
        idx, slot, ent, kind, q = idx[keep], slot[keep], ent[keep], kind[keep], q[keep]
        # Kind-major within a need (the order a deed lists its resources in); stable otherwise.
        order = np.lexsort((np.arange(len(idx)), rank_of[slot, kind], slot))
        self.r_slot, self.r_ent, self.r_kind = slot[order], ent[order], kind[order]
        self.r_dist = c.res.dist[idx][order]
        self.r_ub = np.minimum(q[order], left.cap_left[self.r_ent])

        nl, nt, nr = len(self.l_slot), len(self.t_slot), len(self.r_slot)
        self.off_l, self.off_t, self.off_r = ny, ny + nl, ny + nl + nt
        self.n_vars = ny + nl + nt + nr
        l_var = np.arange(self.off_l, self.off_t, dtype=np.int64)
        t_var = np.arange(self.off_t, self.off_r, dtype=np.int64)
        r_var = np.arange(self.off_r, self.n_vars, dtype=np.int64)

        # --- variables
        y_lo = pinned_y.astype(np.int64)
        # Skills are held by team members: a need asking for skills and no team cannot be done.
        no_team_skills = np.array([bool(arr.n_skills[n]) for n in self.needs], dtype=bool) & (
            vol == 0
        )
        y_hi = np.where(no_team_skills & ~pinned_y, 0, 1)
        fixed_one = np.zeros(nl + nt, dtype=bool)  # pinned pairs must be chosen
        fixed_one[:nl] = pin_lead[self.l_slot] == self.l_ent
        if len(pin_team_keys):
            fixed_one[nl:] = np.isin(self.t_slot * n_people + self.t_ent, pin_team_keys)
        # One proto per distinct domain, copied by one `extend` (~0.5 µs a variable).
        protos: dict[tuple[int, int], cp_model_helper.IntegerVariableProto] = {}

        def dom(lo: int, hi: int) -> cp_model_helper.IntegerVariableProto:
            v = protos.get((lo, hi))
            if v is None:
                v = protos[lo, hi] = _var_proto(lo, hi)
            return v

        free = dom(0, 1)
        batch = [dom(lo, hi) for lo, hi in zip(y_lo.tolist(), y_hi.tolist(), strict=True)]
        batch += [free] * (nl + nt)
        for i in np.flatnonzero(fixed_one).tolist():
            batch[ny + i] = dom(1, 1)
        batch += [dom(0, ub) for ub in self.r_ub.tolist()]
        proto.variables.extend(batch)

        cons = proto.constraints
        lk = self.l_slot * n_people + self.l_ent
        tk = self.t_slot * n_people + self.t_ent
        # A pinned lead or member without a usable pair cannot be honoured: tell the solver (a
        # row with no terms that must equal 1) rather than let another person stand in.
        want_l = (np.arange(ny) * n_people + pin_lead)[pin_lead >= 0]
        missing = int((~np.isin(want_l, lk)).sum()) + int((~np.isin(pin_team_keys, tk)).sum())
        if missing:
            cons.add().linear.domain.extend([1, 1])

        def linear(vs: list[int], cs: list[int], lo: int, hi: int) -> None:
            lin = cons.add().linear
            lin.vars.extend(vs)
            lin.coeffs.extend(cs)
            lin.domain.extend([lo, hi])

        # --- per-need rows: links between y and its pairs, skills, units per kind
        l_ptr = np.searchsorted(self.l_slot, np.arange(ny + 1))
        t_ptr = np.searchsorted(self.t_slot, np.arange(ny + 1))
        r_ptr = np.searchsorted(self.r_slot, np.arange(ny + 1))
        t_ent_l = self.t_ent.tolist()
        for s, n in enumerate(self.needs):
            if arr.n_lead[n]:
                a, b = int(l_ptr[s]), int(l_ptr[s + 1])
                linear([*range(self.off_l + a, self.off_l + b), s], [1] * (b - a) + [-1], 0, 0)
            v = int(vol[s])
            if v > 0:
                a, b = int(t_ptr[s]), int(t_ptr[s + 1])
                linear([*range(self.off_t + a, self.off_t + b), s], [1] * (b - a) + [-v], 0, 0)
                for sk in arr.n_skills[n]:
                    holders = [
                        self.off_t + j for j in range(a, b) if sk in arr.p_skills[t_ent_l[j]]
                    ]
                    linear([*holders, s], [1] * len(holders) + [-1], 0, INT_MAX)
            if arr.n_items[n]:
                a, b = int(r_ptr[s]), int(r_ptr[s + 1])
                kinds = self.r_kind[a:b].tolist()
                for k, qk in arr.n_items[n]:
                    js = [self.off_r + a + j for j, kk in enumerate(kinds) if kk == k]
                    linear([*js, s], [1] * len(js) + [-qk], 0, 0)
        # A person may not be both the lead and a member of one deed.
        _, li, ti = np.intersect1d(lk, tk, assume_unique=True, return_indices=True)
        for a_, b_ in zip(l_var[li].tolist(), t_var[ti].tolist(), strict=True):
            cons.add().at_most_one.literals.extend([a_, b_])

        # --- capacity rows (skipped where the row can never bind)
        def capacity(ent: IntArray, var: IntArray, coef: IntArray, cap: IntArray) -> None:
            order, starts, ends = _groups(ent)
            reach = np.add.reduceat(coef[order], starts) if len(starts) else starts
            es = ent[order][starts] if len(starts) else starts
            var_o, coef_o = var[order].tolist(), coef[order].tolist()
            spans = zip(es.tolist(), starts.tolist(), ends.tolist(), reach.tolist(), strict=True)
            for e, a, b, r in spans:
                limit = max(0, int(cap[e]))
                if r > limit:
                    linear(var_o[a:b], coef_o[a:b], -INT_MAX, limit)

        ones_l = np.ones(nl, dtype=np.int64)
        ones_t = np.ones(nt, dtype=np.int64)
        capacity(self.l_ent, l_var, ones_l, left.lead_left)
        capacity(self.t_ent, t_var, ones_t, left.deeds_left)
        capacity(self.t_ent, t_var, hours[self.t_slot], left.hours_left)
        # A resource row binds when its pairs could take more units than it has left.
        order, starts, ends = _groups(self.r_ent)
        if len(starts):
            reach = np.add.reduceat(self.r_ub[order], starts)
            var_o = r_var[order].tolist()
            es = self.r_ent[order][starts].tolist()
            for e, a, b, r in zip(es, starts.tolist(), ends.tolist(), reach.tolist(), strict=True):
                limit = int(left.cap_left[e])
                if r > limit:
                    linear(var_o[a:b], [1] * (b - a), -INT_MAX, limit)

        # --- objective terms
        self.priority = arr.n_priority[nd].astype(np.int64)
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
        worst += vol * far_t
        far_r = np.zeros((ny, N_KINDS), dtype=np.int64)
        np.maximum.at(far_r, (self.r_slot, self.r_kind), self.r_dist)
        worst += (far_r * q_of).sum(axis=1)
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
        lin = self.m.proto.constraints.add().linear
        lin.vars.extend(range(len(self.needs)))
        lin.coeffs.extend(self.priority.tolist())
        lin.domain.extend([at_least, INT_MAX])

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


def _var_proto(lo: int, hi: int) -> cp_model_helper.IntegerVariableProto:
    """A variable proto with domain [lo, hi], to append (copied) many times over."""
    v = cp_model_helper.IntegerVariableProto()
    v.domain.extend([lo, hi])
    return v
