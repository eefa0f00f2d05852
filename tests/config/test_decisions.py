"""decisions.yaml: validated like every parameter file, against run.yaml and the list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from prioanalysis.config.decisions import (
    DecisionsParams,
    check_customers,
    claim_overrides,
    load_decisions,
    with_decisions,
)
from prioanalysis.config.params import load_params, load_run
from prioanalysis.errors import ParamsError
from tests.conftest import PARAMS_SRC, read_yaml, write_yaml

RUN = load_run(PARAMS_SRC / "run.yaml")


def _write(tmp_path: Path, doc: dict, year: str = "2026") -> Path:
    d = tmp_path / "params" / year
    d.mkdir(parents=True, exist_ok=True)
    return write_yaml(d / "decisions.yaml", doc)


def _entry(**extra: object) -> dict:
    return {"customer_id": "C1", "reason": "集团统一采购", "decided_by": "李明", **extra}


def test_the_sample_file_loads_with_every_kind() -> None:
    d = load_decisions(PARAMS_SRC / "decisions.yaml", RUN, 2026)
    kinds = [e.kind for e in d.entries()]
    assert kinds == ["claim", "tier", "tier", "exclusion"]
    assert d.claims[0].date == dt.date(2026, 1, 12) and d.tier_changes[1].date is None
    assert all(e.reason and e.decided_by for e in d.entries())


def test_the_cycle_adds_it_to_the_parameters(tmp_path: Path) -> None:
    assert load_params(PARAMS_SRC).decisions is None
    with_them = with_decisions(load_params(PARAMS_SRC))
    assert with_them.decisions is not None and with_them.decisions_path == PARAMS_SRC.resolve() / "decisions.yaml"


def test_the_file_is_optional(params_dir: Path) -> None:
    (params_dir / "decisions.yaml").unlink(missing_ok=True)
    p = with_decisions(load_params(params_dir))
    assert p.decisions is None and p.decisions_path is None


def test_a_typo_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = _write(tmp_path, {"year": 2026, "exclusions": [_entry(decidedby="x")]})
    with pytest.raises(ParamsError, match=r"decisions\.yaml.*\n.*exclusions\[0\]\.decidedby: unknown key"):
        load_decisions(path, RUN)


def test_reason_and_decided_by_are_required(tmp_path: Path) -> None:
    entry = _entry()
    del entry["reason"]
    path = _write(tmp_path, {"year": 2026, "tier_changes": [{**entry, "tier": "战略"}]})
    with pytest.raises(ParamsError, match=r"tier_changes\[0\]\.reason: required key is missing"):
        load_decisions(path, RUN)
    path = _write(tmp_path, {"year": 2026, "exclusions": [_entry(decided_by="")]})
    with pytest.raises(ParamsError, match=r"exclusions\[0\]\.decided_by"):
        load_decisions(path, RUN)


def test_unknown_segment_or_tier_names_file_entry_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, {"year": 2026, "claims": [_entry(segment="banking")]})
    with pytest.raises(ParamsError, match=r"decisions\.yaml: claims\[0\] \(customer 'C1'\): segment 'banking' is not"):
        load_decisions(path, RUN)
    path = _write(tmp_path, {"year": 2026, "tier_changes": [_entry(tier="钻石")]})
    with pytest.raises(ParamsError, match=r"tier_changes\[0\] \(customer 'C1'\): tier '钻石' is not a tier .*战略"):
        load_decisions(path, RUN)
    path = _write(tmp_path, {"year": 2026, "tier_changes": [_entry(tier="非目标")]})
    with pytest.raises(ParamsError, match="use exclusions"):
        load_decisions(path, RUN)


def test_one_decision_per_customer_and_kind_and_never_moved_and_excluded(tmp_path: Path) -> None:
    path = _write(tmp_path, {"year": 2026, "exclusions": [_entry(), _entry()]})
    with pytest.raises(ParamsError, match=r"exclusions\[1\]: customer 'C1' is already decided in exclusions\[0\]"):
        load_decisions(path, RUN)
    path = _write(tmp_path, {"year": 2026, "tier_changes": [_entry(tier="战略")], "exclusions": [_entry()]})
    with pytest.raises(ParamsError, match=r"exclusions\[0\].*also moved to another tier in tier_changes\[0\]"):
        load_decisions(path, RUN)


def test_the_year_must_match_folder_and_run(tmp_path: Path) -> None:
    path = _write(tmp_path, {"year": 2025, "exclusions": [_entry()]})
    with pytest.raises(ParamsError, match="year: 2025 does not match its folder"):
        load_decisions(path, RUN)


def test_repeated_key_refused_by_the_one_reader(tmp_path: Path) -> None:
    d = tmp_path / "params" / "2026"
    d.mkdir(parents=True)
    p = d / "decisions.yaml"
    p.write_text(
        "year: 2026\nexclusions:\n  - customer_id: C1\n    reason: a\n    reason: b\n    decided_by: x\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="reason"):
        load_decisions(p, RUN)


def test_customers_checked_against_the_list() -> None:
    d = DecisionsParams.model_validate(
        {"year": 2026, "tier_changes": [_entry(tier="战略")], "exclusions": [_entry(customer_id="C9")]}
    )
    check_customers(d, "decisions.yaml", {"C1", "C9"}, {"C1"})
    with pytest.raises(ParamsError, match=r"decisions\.yaml: exclusions\[0\]: customer 'C9' is not on list\.csv"):
        check_customers(d, "decisions.yaml", {"C1"}, {"C1"}, "list.csv")
    with pytest.raises(ParamsError, match=r"tier_changes\[0\]: customer 'C1' was not scored"):
        check_customers(d, "decisions.yaml", {"C1", "C9"}, set())


def test_claim_overrides_checked_against_the_claims() -> None:
    d = DecisionsParams.model_validate({"year": 2026, "claims": [_entry(segment="finance")]})
    assert claim_overrides(None, "x", {}) == {}
    assert claim_overrides(d, "d.yaml", {"C1": {"finance", "government"}}) == {"C1": "finance"}
    with pytest.raises(ParamsError, match=r"d\.yaml: claims\[0\]: customer 'C1' is not on the preliminary list"):
        claim_overrides(d, "d.yaml", {"C2": {"finance"}})


def test_sample_yaml_is_what_the_model_reads() -> None:
    doc = read_yaml(PARAMS_SRC / "decisions.yaml")
    assert set(doc) == {"year", "claims", "tier_changes", "exclusions"}
