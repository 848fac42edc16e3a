"""Partnerships between organisations and companies, in the seed's four forms.

- ``project``: a project or research collaboration around one pilot (short, limited commitment);
- ``domain``: a domain-specific collaboration around a posted challenge (co-development, shared risk);
- ``network``: a network or alliance: organisations of a region sharing a solution in use (they imitate each
  other more);
- ``strategic``: a long-term strategic partnership across departments, mutually committed on resources and
  risk; lever ``strategic_partnership_cap`` caps how many an organisation holds at once (seed: typically at
  most 5). Strategic partners run joint pilots without pitch or scouting friction (``joint_projects_step``),
  a strategic partner's pilots cost the public side half, its start-ups get a monthly retainer, and it is
  first in line for the organisation's challenges. Each costs staff time.

Partnerships are rows of ``sim.model.innovation.state.PartnershipTable``; the steps here are compiled.
"""

from __future__ import annotations

import numpy as np

from sim.model.innovation.events import add_partnership, end_partnership, try_start_pilot
from sim.model.innovation.jit import jit
from sim.model.innovation.state import (
    DOMAIN,
    FAILED,
    FORMS,
    NETWORK,
    PARTNERSHIP,
    PROJECT,
    STRATEGIC,
    PartnershipTable,
)

# Assumptions (no Danish figure found): staff time per strategic partnership (governance, joint projects),
# public co-funding per strategic partnership-month, monthly chance per free slot that a strategic
# partnership forms, and monthly chance that a strategic partnership starts a joint pilot.
STRATEGIC_STAFF_FTE = 0.3
STRATEGIC_RETAINER_DKK_MONTH = 40_000.0
STRATEGIC_FORMATION_MONTH = 0.02
STRATEGIC_JOINT_PROJECT_MONTH = 0.05
PARTNERSHIP_VIA = PARTNERSHIP  # the route into a pilot that a joint project takes

__all__ = [
    "DOMAIN",
    "FORMS",
    "NETWORK",
    "PARTNERSHIP_VIA",
    "PROJECT",
    "STRATEGIC",
    "STRATEGIC_FORMATION_MONTH",
    "STRATEGIC_JOINT_PROJECT_MONTH",
    "STRATEGIC_RETAINER_DKK_MONTH",
    "STRATEGIC_STAFF_FTE",
    "PartnershipTable",
    "joint_projects_step",
    "partnership_step",
]


@jit
def partnership_step(t: int, par, st, rng) -> int:
    """Expire partnerships and form new strategic ones up to the cap (lever ``strategic_partnership_cap``).

    An organisation with free strategic slots forms one, with a monthly chance per free slot, with a
    company it has worked with (a pilot or a solution in use) that is alive and not yet a strategic partner.
    Then strategic partners run their joint projects (``joint_projects_step``). Returns the number formed.
    """
    parts, orgs, comp = st.parts, st.orgs, st.comp
    for k in range(parts.size[0]):
        if parts.active[k] and 0 <= parts.end[k] <= t:
            end_partnership(st, k)
    cap = int(par.strategic_partnership_cap)
    n_comp = comp.size[0]
    known = np.empty(n_comp, np.int64)
    formed = 0
    for org in range(len(orgs.sector)):
        free = max(cap - orgs.strategic_count[org], 0)
        if rng.random() >= 1.0 - (1.0 - STRATEGIC_FORMATION_MONTH) ** free:
            continue
        m = 0  # alive companies it has worked with that are not yet strategic partners
        for c in range(n_comp):
            if st.worked_with[org, c] and comp.status[c] != FAILED and not st.strategic[org, c]:
                known[m] = c
                m += 1
        if m:
            add_partnership(st, org, known[rng.integers(0, m)], STRATEGIC, t, -1)
            formed += 1
    joint_projects_step(t, par, st, rng)
    return formed


@jit
def joint_projects_step(t: int, par, st, rng) -> int:
    """Strategic partners run joint clinical projects: each month a strategic partnership starts, with a
    small chance, a pilot of one of the partner company's ready solutions at the organisation (shared risk
    and resources: the organisation pays half; no pitch or scouting friction, no free slot needed).
    Returns pilots started."""
    parts, sols = st.parts, st.sols
    options = np.empty(sols.size[0], np.int64)
    started = 0
    for k in range(parts.size[0]):
        if not (parts.active[k] and parts.form[k] == STRATEGIC):
            continue
        if rng.random() >= STRATEGIC_JOINT_PROJECT_MONTH:
            continue
        org, company = parts.org[k], parts.company[k]
        sector = st.orgs.sector[org]
        m = 0  # the partner's ready solutions for the organisation's sector
        for s in range(sols.size[0]):
            if (
                sols.company[s] == company
                and sols.sector[s] == sector
                and sols.on_market[s]
                and sols.ready_month[s] <= t
            ):
                options[m] = s
                m += 1
        if m and try_start_pilot(t, par, st, org, options[rng.integers(0, m)], PARTNERSHIP, True):
            started += 1
    return started
