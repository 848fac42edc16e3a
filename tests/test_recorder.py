"""The Recorder completes months when read: every reader must see the numbers, bit for bit, that a recorder
doing all the work month by month would have written."""

from __future__ import annotations

import numpy as np

from sim.model.accounting import (
    PROFESSION_COLUMNS,
    SECTOR_COLUMNS,
    SECTOR_ROWS,
    LabourAccounts,
    Recorder,
)
from sim.model.demography import PROFESSIONS, SECTORS
from sim.model.model import RECORDED_STAFF_FLOWS, HealthSystemModel

S, P = len(SECTORS), len(PROFESSIONS)
HOURS_PER_FTE = 1924.0


class EagerRecorder:
    """Every month completed as it is written (how the records were first computed)."""

    def __init__(self, n_months: int) -> None:
        self.sector = np.zeros((n_months, len(SECTOR_ROWS), len(SECTOR_COLUMNS)))
        self.profession = np.zeros((n_months, len(SECTOR_ROWS), P, len(PROFESSION_COLUMNS)))
        self.c = {name: i for i, name in enumerate(SECTOR_COLUMNS)}

    def record_flow(self, t, name, by_sector):
        self.sector[t, :S, self.c[name]] = by_sector
        self.sector[t, S, self.c[name]] = by_sector.sum()

    def record_total(self, t, name, value):
        self.sector[t, S, self.c[name]] = value

    def record_profession_flow(self, t, name, by_sector_profession):
        k = PROFESSION_COLUMNS.index(name)
        self.profession[t, :S, :, k] = by_sector_profession
        self.profession[t, S, :, k] = by_sector_profession.sum(axis=0)

    def record_accounts(self, t, accounts, org_sector, headcount_org):
        onehot = np.zeros((S, len(org_sector)))
        onehot[org_sector, np.arange(len(org_sector))] = 1.0
        stacked = np.stack(
            [
                accounts.demand_fte_org,
                accounts.supply_fte_org,
                accounts.freed_fte_org,
                accounts.freed_gross_fte_org,
                accounts.innovation_work_fte_org,
                headcount_org,
            ],
            axis=-1,
        )
        by_sp = np.einsum("so,opk->spk", onehot, stacked)
        by_sp = np.concatenate([by_sp, by_sp.sum(axis=0, keepdims=True)], axis=0)
        demand, supply, freed, gross, work, head = (by_sp[..., k] for k in range(6))
        prof, k = self.profession[t], PROFESSION_COLUMNS.index
        prof[..., k("demand_fte")] = demand
        prof[..., k("supply_fte")] = supply
        prof[..., k("gap_fte")] = demand - (supply + freed)
        prof[..., k("fte_freed")] = freed
        prof[..., k("staff_headcount")] = head
        prof[..., k("fte_freed_gross")] = gross
        prof[..., k("fte_innovation_work")] = work
        row, c = self.sector[t], self.c
        d, s, f = demand.sum(1), supply.sum(1), freed.sum(1)
        row[:, c["demand_fte"]] = d
        row[:, c["supply_fte"]] = s
        row[:, c["fte_freed"]] = f
        row[:, c["fte_freed_gross"]] = gross.sum(1)
        row[:, c["fte_innovation_work"]] = work.sum(1)
        row[:, c["gap_fte"]] = d - (s + f)
        with np.errstate(divide="ignore", invalid="ignore"):
            row[:, c["gap_share"]] = np.where(d > 0, (d - (s + f)) / d, 0.0)
            row[:, c["strain"]] = np.where(s + f > 0, d / (s + f), 0.0)
        row[:, c["staff_headcount"]] = head.sum(1)
        headcount = np.maximum(row[:, c["staff_headcount"]], 1e-9)
        row[:, c["attrition_rate"]] = row[:, c["exits"]] * 12 / headcount
        row[:, c["job_leaving_rate"]] = (row[:, c["exits"]] + row[:, c["moves"]]) * 12 / headcount
        row[:, c["hours_freed"]] = row[:, c["fte_freed_gross"]] * HOURS_PER_FTE / 12


def test_recorder_matches_month_by_month_completion():
    rng = np.random.default_rng(11)
    n_months, n_orgs = 14, 9
    org_sector = np.array([0, 0, 1, 1, 1, 0, 1, 1, 1])
    lazy, eager = Recorder(n_months, hours_per_fte=HOURS_PER_FTE), EagerRecorder(n_months)
    staff_flows = RECORDED_STAFF_FLOWS
    for t in range(n_months):
        # staff flows per profession (as the model records them); every third month also read early
        values = rng.lognormal(2.0, 1.5, (len(staff_flows), S, P)) * (rng.random() < 0.8)
        lazy.record_flows_by_profession(t, staff_flows, values)
        for name, v in zip(staff_flows, values, strict=True):
            eager.record_flow(t, name, v.sum(axis=1))
            if name in PROFESSION_COLUMNS:
                eager.record_profession_flow(t, name, v)
        # innovation counters: float64, integers, float32 (summed at once), totals over flows and back
        for rec in (lazy, eager):
            rec.record_flow(t, "pilots_started", values[0, :, 0] * 0.37)
            rec.record_flow(t, "pilots_active", np.arange(S) * t)
            rec.record_flow(t, "public_cost_dkk", (values[1, :, 1] / 3).astype(np.float32))
            rec.record_flow(t, "solutions_in_use", values[2, :, 2])
            rec.record_total(t, "solutions_in_use", 7.0 + t)
            rec.record_total(t, "adoptions", 1.5)
            rec.record_flow(t, "adoptions", values[3, :, 3])
        lazy.record_flows(t, ("evaluations", "procurements"), values[4, :, :2] / 7)
        for j, name in enumerate(("evaluations", "procurements")):
            eager.record_flow(t, name, values[4, :, j] / 7)
        accounts = LabourAccounts(n_orgs)
        demand = rng.lognormal(5.0, 1.0, (n_orgs, P))
        accounts.update(
            demand,
            demand * rng.uniform(0.8, 1.1, (n_orgs, P)),
            rng.lognormal(0.0, 1.0, (n_orgs, P)),
            rng.lognormal(-1.0, 1.0, (n_orgs, P)),
        )
        head = rng.integers(0, 500, (n_orgs, P)) * 3.3
        lazy.record_accounts(t, accounts, org_sector, head)
        eager.record_accounts(t, accounts, org_sector, head)
        if t % 3 == 0:  # a reader in the middle of the run sees complete months
            assert lazy.sector[: t + 1].tobytes() == eager.sector[: t + 1].tobytes()
    assert lazy.sector.tobytes() == eager.sector.tobytes()
    assert lazy.profession.tobytes() == eager.profession.tobytes()


def simulate(model: HealthSystemModel) -> HealthSystemModel:
    while model.running:
        model.step()
    return model


def test_reading_every_month_changes_nothing(small_scenario):
    """The explorer and Mesa's DataCollector read every month; sim.run reads once at the end."""
    sc = small_scenario.with_overrides({"innovation.enabled": False})
    read_at_end = simulate(HealthSystemModel(scenario=sc, seed=4, collect=False))
    read_monthly = simulate(HealthSystemModel(scenario=sc, seed=4, collect=True))
    for name in ("sector", "profession"):
        a = getattr(read_at_end.recorder, name)
        b = getattr(read_monthly.recorder, name)
        assert a.tobytes() == b.tobytes()
    collected = read_monthly.datacollector.get_model_vars_dataframe()
    national = read_at_end.recorder.sector[:, SECTOR_ROWS.index("all")]
    for column in ("demand_fte", "gap_fte", "staff_headcount"):
        expected = national[:, SECTOR_COLUMNS.index(column)]
        assert np.array_equal(collected[column].to_numpy(), expected)
