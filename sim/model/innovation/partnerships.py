"""Partnerships between organisations and companies, in the seed's four forms.

- ``project``: a project or research collaboration around one pilot (short, limited commitment);
- ``domain``: a domain-specific collaboration around a posted challenge (co-development, shared risk);
- ``network``: a network or alliance of organisations sharing a solution (not formed by the model yet);
- ``strategic``: a long-term strategic partnership across departments, mutually committed on resources and
  risk, organised around concrete clinical projects. Lever ``strategic_partnership_cap`` is the number an
  organisation holds at once; the seed's "typically at most 5 at a time, out of regard for the
  organisation's resource load" is the workload limit beyond which each partnership costs more
  (``strategic_partnership_cap_workload_limit``, ``..._overload``). Strategic partners run joint pilots
  without pitch or scouting friction (``joint_projects_step``), pay half a pilot's cost
  (``strategic_partnership_cap_pilot_cost_share``) and get a retainer. They are not preferred for
  co-development: a challenge's organisation is drawn by size alone (``companies.development_step``).

Partnerships are rows of ``sim.model.innovation.state.PartnershipTable``; the steps here are compiled.
Rates and costs of a strategic partnership scale with the organisation's size (per reference size), so a
partnership with a large hospital is a larger partnership.
"""

from __future__ import annotations

import numpy as np

from sim.model.innovation.events import (
    add_partnership,
    end_partnership,
    size_factor,
    try_start_pilot,
)
from sim.model.innovation.jit import jit
from sim.model.innovation.state import (
    DOMAIN,
    EVALUATED,
    FAILED,
    FORMS,
    NETWORK,
    PARTNERSHIP,
    PROJECT,
    STRATEGIC,
    PartnershipTable,
)

__all__ = [
    "DOMAIN",
    "FORMS",
    "NETWORK",
    "PROJECT",
    "STRATEGIC",
    "PartnershipTable",
    "joint_projects_step",
    "partnership_step",
    "open_challenges",
    "partnership_work",
]


@jit
def partnership_step(t: int, par, st, rng) -> int:
    """Expire partnerships (and drop the ended ones from the list of live partnerships,
    ``PartnershipTable.live``, keeping its order) and form strategic ones up to the lever
    (``strategic_partnership_cap``).

    An organisation holding fewer strategic partnerships than the lever forms one, with a monthly chance
    per missing partnership (``strategic_formation_month``), with a company it has worked with (a pilot or
    a solution in use) that is alive and not yet a strategic partner. Then strategic partners run their
    joint projects (``joint_projects_step``). Returns the number formed.
    """
    parts, orgs, comp = st.parts, st.orgs, st.comp
    active, end, live = parts.active, parts.end, parts.live  # read once (``pipeline``: speed)
    kept = 0
    for i in range(parts.n_live[0]):
        k = live[i]
        if active[k] and 0 <= end[k] <= t:
            end_partnership(st, k)
        if active[k]:
            live[kept] = k
            kept += 1
    parts.n_live[0] = kept
    wanted = int(round(par.strategic_partnership_cap))
    n_comp = comp.size[0]
    known = np.empty(n_comp, np.int64)
    formed = 0
    for org in range(len(orgs.sector)):
        missing = max(wanted - orgs.strategic_count[org], 0)
        if rng.random() >= 1.0 - (1.0 - par.strategic_formation_month) ** missing:
            continue
        m = 0
        for c in range(n_comp):
            if st.worked_with[org, c] and comp.status[c] != FAILED and not st.strategic[org, c]:
                known[m] = c
                m += 1
        if m:
            company = known[rng.integers(0, m)]
            add_partnership(st, org, company, STRATEGIC, t, -1, size_factor(par, st, org))
            formed += 1
    joint_projects_step(t, par, st, rng)
    return formed


@jit
def joint_projects_step(t: int, par, st, rng) -> int:
    """Strategic partners run joint clinical projects: each strategic partnership starts a pilot of one of
    the partner's ready solutions for the organisation's sector at ``strategic_partnership_cap_joint_
    projects_year`` per reference size (a Poisson number a month; shared risk and resources: no pitch or scouting friction, no free
    project time needed). Returns pilots started."""
    parts, sols = st.parts, st.sols
    options = np.empty(sols.size[0], np.int64)
    started = 0
    active, form, live = parts.active, parts.form, parts.live  # read once (``pipeline``: speed)
    for i in range(parts.n_live[0]):  # the partnerships formed during the loop are projects
        k = live[i]
        if not (active[k] and form[k] == STRATEGIC):
            continue
        org, company = parts.org[k], parts.company[k]
        rate = par.strategic_partnership_cap_joint_projects_year / 12.0 * size_factor(par, st, org)
        projects = rng.poisson(rate)  # a large organisation's partnership runs several at once
        if projects == 0:
            continue
        sector = st.orgs.sector[org]
        m = 0
        for s in range(sols.size[0]):
            if (
                sols.company[s] == company
                and sols.sector[s] == sector
                and sols.on_market[s]
                and sols.ready_month[s] <= t
                and sols.evidence[s] < EVALUATED
                and sols.frontier_pilots[s] < par.frontier_pilots_max
                and st.engagement_of[s, org] < 0
            ):
                options[m] = s
                m += 1
        for _ in range(min(projects, m)):
            if (
                st.eng.size[0] >= len(st.eng.org)
                or st.n_active[0] >= len(st.active)
                or st.parts.size[0] >= len(st.parts.org)
            ):
                return started  # the rows reserved for the month are used up (rows_needed)
            j = rng.integers(0, m)
            if try_start_pilot(t, par, st, org, options[j], PARTNERSHIP, True):
                started += 1
            m -= 1
            options[j] = options[m]  # each solution at most once
    return started


@jit
def partnership_work(par, st, org: int, open_challenges: float) -> float:
    """Staff FTE an organisation's strategic partnerships and open challenges take this month.

    Each strategic partnership takes ``strategic_partnership_cap_staff_fte`` per reference size, and
    ``strategic_partnership_cap_overload`` more for every partnership beyond the seed's workload limit
    (``strategic_partnership_cap_workload_limit``); each challenge under co-development takes
    ``challenge_driven_share_owner_fte`` (lever ``challenge_driven_share``).
    """
    n = st.orgs.strategic_count[org]
    beyond = max(n - par.strategic_partnership_cap_workload_limit, 0.0)
    per = par.strategic_partnership_cap_staff_fte * (
        1.0 + par.strategic_partnership_cap_overload * beyond
    )
    return (
        n * per * size_factor(par, st, org) + open_challenges * par.challenge_driven_share_owner_fte
    )


@jit
def open_challenges(st, out: np.ndarray) -> None:
    """Challenges each organisation has under co-development (active domain partnerships), into ``out``."""
    out[:] = 0.0
    parts = st.parts
    active, form, org, live = (
        parts.active,
        parts.form,
        parts.org,
        parts.live,
    )  # (``pipeline``: speed)
    for i in range(parts.n_live[0]):
        k = live[i]
        if active[k] and form[k] == DOMAIN:
            out[org[k]] += 1.0
