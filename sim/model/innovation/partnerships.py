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
"""

from __future__ import annotations

import numpy as np

FORMS = ("project", "domain", "network", "strategic")
PROJECT, DOMAIN, NETWORK, STRATEGIC = range(4)
# Assumptions (no Danish figure found): staff time per strategic partnership (governance, joint projects),
# public co-funding per strategic partnership-month, monthly chance per free slot that a strategic
# partnership forms, and monthly chance that a strategic partnership starts a joint pilot.
STRATEGIC_STAFF_FTE = 0.3
STRATEGIC_RETAINER_DKK_MONTH = 40_000.0
STRATEGIC_FORMATION_MONTH = 0.02
STRATEGIC_JOINT_PROJECT_MONTH = 0.05
PARTNERSHIP_VIA = (
    5  # sim.model.innovation.pipeline.PARTNERSHIP (no import: pipeline imports this module)
)


class PartnershipTable:
    """Partnerships as rows: organisation, company, form, start and end month (-1 = open-ended)."""

    def __init__(self, n_orgs: int, capacity: int = 512) -> None:
        self.n = 0
        self.org = np.zeros(capacity, np.int32)
        self.company = np.zeros(capacity, np.int32)
        self.form = np.zeros(capacity, np.int8)
        self.start = np.zeros(capacity, np.int32)
        self.end = np.zeros(capacity, np.int32)
        self.active = np.zeros(capacity, bool)
        self.strategic_count = np.zeros(n_orgs, np.int32)
        self.strategic_pairs: set[tuple[int, int]] = set()

    def add(self, org: int, company: int, form: int, start: int, end: int = -1) -> int:
        if self.n == len(self.org):
            for name in ("org", "company", "form", "start", "end", "active"):
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros(len(arr), arr.dtype)]))
        i = self.n
        self.org[i], self.company[i], self.form[i], self.start[i], self.end[i] = (
            org,
            company,
            form,
            start,
            end,
        )
        self.active[i] = True
        if form == STRATEGIC:
            self.strategic_count[org] += 1
            self.strategic_pairs.add((int(org), int(company)))
        self.n += 1
        return i

    def expire(self, t: int) -> None:
        """End partnerships whose end month has passed."""
        n = self.n
        done = self.active[:n] & (self.end[:n] >= 0) & (self.end[:n] <= t)
        self.active[:n][done] = False

    def end_for_companies(self, companies: np.ndarray) -> None:
        """End every partnership with failed companies."""
        n = self.n
        hit = self.active[:n] & np.isin(self.company[:n], companies)
        strategic = hit & (self.form[:n] == STRATEGIC)
        np.subtract.at(self.strategic_count, self.org[:n][strategic], 1)
        for o, c in zip(
            self.org[:n][strategic].tolist(), self.company[:n][strategic].tolist(), strict=True
        ):
            self.strategic_pairs.discard((o, c))
        self.active[:n][hit] = False

    def active_count(self, form: int | None = None) -> int:
        n = self.n
        mask = self.active[:n] if form is None else self.active[:n] & (self.form[:n] == form)
        return int(mask.sum())

    def active_research_or_strategic(self) -> int:
        n = self.n
        form = self.form[:n]
        return int((self.active[:n] & ((form == PROJECT) | (form == STRATEGIC))).sum())

    def strategic_partners(self, org: int) -> np.ndarray:
        """Companies in an active strategic partnership with ``org``."""
        n = self.n
        return self.company[:n][
            self.active[:n] & (self.form[:n] == STRATEGIC) & (self.org[:n] == org)
        ]

    def has_strategic(self, org: int, company: int) -> bool:
        """Is there an active strategic partnership between ``org`` and ``company``?"""
        return (int(org), int(company)) in self.strategic_pairs


def partnership_step(layer, t: int, rng: np.random.Generator) -> int:
    """Expire partnerships and form new strategic ones up to the cap (lever ``strategic_partnership_cap``).

    An organisation with free strategic slots forms one, with a monthly chance per free slot, with a
    company it has worked with (a pilot or a solution in use) that is alive and not yet a strategic partner.
    Returns the number formed.
    """
    parts = layer.partnerships
    parts.expire(t)
    cap = int(layer.lever("strategic_partnership_cap"))
    free = np.maximum(cap - parts.strategic_count, 0)
    candidates = np.flatnonzero(
        rng.random(len(free)) < 1.0 - (1.0 - STRATEGIC_FORMATION_MONTH) ** free
    )
    formed = 0
    for org in candidates:
        known = layer.companies_worked_with(int(org))
        if len(known) == 0:
            continue
        known = np.setdiff1d(known, parts.strategic_partners(int(org)))
        if len(known) == 0:
            continue
        parts.add(int(org), int(rng.choice(known)), STRATEGIC, t)
        formed += 1
    joint_projects_step(layer, t, rng)
    return formed


def joint_projects_step(layer, t: int, rng: np.random.Generator) -> int:
    """Strategic partners run joint clinical projects: each month a strategic partnership starts, with a
    small chance, a pilot of one of the partner company's ready solutions at the organisation (shared risk
    and resources: the organisation pays half; no pitch or scouting friction). Returns pilots started."""
    parts = layer.partnerships
    n = parts.n
    active = np.flatnonzero(parts.active[:n] & (parts.form[:n] == STRATEGIC))
    if len(active) == 0:
        return 0
    chosen = active[rng.random(len(active)) < STRATEGIC_JOINT_PROJECT_MONTH]
    sols = layer.solutions
    ready = np.flatnonzero(sols.on_market[: sols.n] & (sols.ready_month[: sols.n] <= t))
    started = 0
    for k in chosen:
        org, company = int(parts.org[k]), int(parts.company[k])
        options = ready[
            (sols.company[ready] == company) & (sols.sector[ready] == layer.org_sector[org])
        ]
        # joint projects are staffed and co-funded inside the partnership: no free slot needed
        if len(options) and layer.try_start_pilot(
            org, int(rng.choice(options)), PARTNERSHIP_VIA, t, committed=True
        ):
            started += 1
    return started
