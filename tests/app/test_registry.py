"""The notebook registry: one setup per notebook, its preflight, the table writer."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from prioanalysis.app import registry
from prioanalysis.app.runner import ANNUAL_CYCLE, notebook_parameters
from prioanalysis.errors import InputError, ParamsError
from tests.conftest import PARAMS_SRC

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_is_registered_and_calls_its_setup_once() -> None:
    assert set(NOTEBOOKS) == set(registry.NOTEBOOKS)
    assert set(ANNUAL_CYCLE) <= set(registry.NOTEBOOKS)
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert code.count(f'pa.app.registry.setup("{name}"') == 1, name
        assert code.count("ctx.write(") == 1, name


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_setup_accepts_the_notebooks_own_defaults(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The defaults of each parameters cell (run from notebooks/) pass the setup."""
    monkeypatch.chdir(ROOT / "notebooks")
    # 40_inquiry_monthly's empty month is the previous calendar month; the sample log covers 2025
    monkeypatch.setenv("PRIOANALYSIS_TODAY", "2025-11-15")
    declared = notebook_parameters(ROOT / "notebooks" / f"{name}.ipynb")
    values = {k: eval(v["default"]) for k, v in declared.items()}  # literals of the parameters cell
    spec = registry.NOTEBOOKS[name]
    import inspect

    accepted = set(inspect.signature(spec.setup).parameters)
    ctx = registry.setup(name, **{k: v for k, v in values.items() if k in accepted or "extra" in accepted})
    assert ctx.notebook == name and ctx.params.run.year == values["year"]
    assert ctx.lang == ctx.params.run.report.language
    assert ctx.segment_labels and ctx.labels


def test_setup_errors_name_the_parameter(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="parameter 'year' is 2025"):
        registry.setup("20_ranking", year=2025, params_dir=str(PARAMS_SRC))
    with pytest.raises(ParamsError, match="parameter 'target'"):
        registry.setup("10_criteria_calibration", year=2026, params_dir=str(PARAMS_SRC), target="profit")
    with pytest.raises(ParamsError, match="parameter 'owners_path': file not found"):
        registry.setup("25_robustness", year=2026, params_dir=str(PARAMS_SRC), owners_path=str(tmp_path / "no.csv"))
    with pytest.raises(ParamsError, match="unknown notebook '99_x'"):
        registry.setup("99_x", year=2026, params_dir=str(PARAMS_SRC))


def test_write_puts_tables_in_the_run_folder_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    shown: list[object] = []  # the report is for readers: no "N files written" line in it
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    ctx = registry.setup("20_ranking", year=2026, params_dir=str(PARAMS_SRC), output_dir=str(tmp_path))
    written = ctx.write({"a_table": pd.DataFrame({"x": [1 / 3]})})
    assert shown == []
    assert written == [tmp_path / "tables" / "a_table.csv"]
    assert written[0].read_text(encoding="utf-8") == "x\n0.333333\n"
    show_only = registry.setup("20_ranking", year=2026, params_dir=str(PARAMS_SRC))
    assert show_only.write({"a_table": pd.DataFrame({"x": [1]})}) == []


def test_preflight_runs_each_check_once_in_notebook_order(
    params_dir: Path, tiny_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prioanalysis.config.params import load_params

    params = load_params(params_dir)
    calls: list[tuple[str, dict]] = []

    def first(params, parameters, input_path=None, engine=None):
        calls.append(("first", dict(parameters)))
        return {"a": "1"}

    def second(params, parameters, input_path=None, engine=None):
        calls.append(("second", dict(parameters)))
        return {"b": "2"}

    monkeypatch.setitem(registry.NOTEBOOKS, "x1", registry.NotebookSpec("x1", "", registry._DEFAULT.setup, (first,)))
    monkeypatch.setitem(
        registry.NOTEBOOKS, "x2", registry.NotebookSpec("x2", "", registry._DEFAULT.setup, (first, second))
    )
    hashes = registry.preflight(params, ["x1", "x2"], {"x1": {"p": 1}, "x2": {"q": 2}})
    assert calls == [("first", {"p": 1}), ("second", {"q": 2})]
    # and the parameter files no selected notebook reads are validated (and hashed) all the same
    extra = {str(params.directory / f) for f in ("judgements.yaml", "inquiries.yaml")}
    assert hashes == {"a": "1", "b": "2"} | {k: v for k, v in hashes.items() if k in extra}
    assert set(hashes) == {"a", "b"} | extra
    # the real checks: this year's list (and the owners) hashed
    notes: list[str] = []
    hashes = registry.preflight(
        params,
        ["20_ranking", "25_robustness", "40_inquiry_monthly"],
        {
            "40_inquiry_monthly": {
                "month": "2025-10",
                "inquiries_path": str(ROOT / "data" / "sample" / "inquiries_2025.csv"),
            }
        },
        str(tiny_csv),
        notes=notes,
    )
    assert next(iter(hashes)) == str(tiny_csv) and all(len(h) == 64 for h in hashes.values())
    assert any(k.endswith("owners.csv") for k in hashes) and any(k.endswith("inquiries.yaml") for k in hashes)
    assert notes and notes[0].startswith(f"{tiny_csv}: ok — ")
    # a notebook the registry does not know: this year's preliminary list is checked
    assert registry.notebook("99_fail").checks == (registry.preliminary_preflight,)
    assert registry.notebook("30_annual_review").checks == (registry.preliminary_preflight, registry.review_preflight)
    assert registry.ranking_preflight in registry.notebook("20_ranking").checks
    assert registry.calibration_preflight in registry.notebook("10_criteria_calibration").checks
    bad = tiny_csv.parent / "bad.csv"
    lines = tiny_csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("it_budget")] = "lots"
    bad.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="'lots' is not a number"):
        registry.preflight(params, ["99_fail"], {}, str(bad))


def test_review_preflight_validates_the_outcomes(tmp_path: Path) -> None:
    from prioanalysis.config.params import load_params

    params = load_params(ROOT / "params" / "2026")
    ok = registry.review_preflight(params, {})
    assert any(k.endswith("outcomes_2025.csv") for k in ok)
    bad = tmp_path / "outcomes.csv"
    lines = (ROOT / "data" / "sample" / "outcomes_2025.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[1] = "maybe"
    lines[3] = ",".join(cells)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 4"):
        registry.review_preflight(params, {"outcomes_path": str(bad)})
    assert registry.review_preflight(params, {"outcomes_path": str(bad)}, None, engine=object()) == {}


def _write_yaml_text(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_ranking_preflight_refuses_what_only_the_method_can(params_dir: Path, tmp_path: Path) -> None:
    """TOPSIS with vector normalisation on a criterion with negative values is
    refused before a run (the sample's growth can be negative)."""
    from prioanalysis.config.params import load_params

    ok = load_params(params_dir)
    assert registry.ranking_preflight(ok, {})  # the sample ranks
    _write_yaml_text(params_dir / "run.yaml", lambda t: t.replace("method: weighted_sum", "method: topsis"))
    text = (params_dir / "criteria.yaml").read_text(encoding="utf-8")
    (params_dir / "criteria.yaml").write_text(
        "\n".join(line for line in text.splitlines() if "normalization: minmax" not in line) + "\n", encoding="utf-8"
    )
    topsis = load_params(params_dir)
    with pytest.raises((InputError, ParamsError), match="negative"):
        registry.ranking_preflight(topsis, {})


def test_header_only_list_refused_by_the_preflight(params_dir: Path, tmp_path: Path) -> None:
    from prioanalysis.config.params import load_params

    header = (ROOT / "data" / "sample" / "preliminary_2026.csv").read_text(encoding="utf-8").splitlines()[0]
    empty = tmp_path / "header_only.csv"
    empty.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InputError):
        registry.preflight(load_params(params_dir), ["20_ranking"], {}, str(empty))


def test_judgements_and_calibration_preflights(params_dir: Path) -> None:
    from prioanalysis.config.params import load_params

    params = load_params(params_dir)
    assert list(registry.judgements_preflight(params, {})) == [str(params_dir / "judgements.yaml")]
    _write_yaml_text(
        params_dir / "judgements.yaml", lambda t: t.replace("it_budget vs deal_size: 1", "it_budget vs deal_sise: 1", 1)
    )
    with pytest.raises((InputError, ParamsError)):
        registry.judgements_preflight(load_params(params_dir), {})
    (params_dir / "judgements.yaml").unlink()
    assert registry.judgements_preflight(load_params(params_dir), {}) == {}
    files = registry.calibration_preflight(load_params(ROOT / "params" / "2026"), {})
    assert any(k.endswith("preliminary_2025.csv") for k in files) and any(k.endswith("2025/run.yaml") for k in files)


def test_monthly_preflight_checks_the_month_and_the_log(tmp_path: Path) -> None:
    from prioanalysis.config.params import load_params

    params = load_params(ROOT / "params" / "2026")
    ok = registry.monthly_preflight(params, {"month": "2025-10"})
    assert any(k.endswith("inquiries_2025.csv") for k in ok)
    with pytest.raises(ParamsError, match="parameter 'month'"):
        registry.monthly_preflight(params, {"month": "2025-13"})
    with pytest.raises(ParamsError, match="inquiries_path"):
        registry.monthly_preflight(params, {"month": "2025-10", "inquiries_path": str(tmp_path / "none.csv")})


def test_review_preflight_refuses_a_bad_frozen_list(tmp_path: Path) -> None:
    from prioanalysis.config.params import load_params

    bad = tmp_path / "frozen.csv"
    bad.write_text("customer_id,tier\nC1,战略\n", encoding="utf-8")
    with pytest.raises(InputError, match=str(bad)):
        registry.review_preflight(load_params(ROOT / "params" / "2026"), {"frozen_list": str(bad)})


def test_write_neutralises_formulas_in_csv_tables(tmp_path: Path) -> None:
    """OWASP CSV injection: text cells a spreadsheet would run are written with a
    leading quote; numbers (negative ones too) are not touched."""
    ctx = registry.setup("20_ranking", year=2026, params_dir=str(PARAMS_SRC), output_dir=str(tmp_path))
    table = pd.DataFrame(
        {"name": ['=HYPERLINK("http://x","y")', "+86 10", "-1+2", "@SUM(A1)", "普通", "-3.5"], "n": [-1, 2, 3, 4, 5, 6]}
    )
    (path,) = ctx.write({"names": table})
    back = pd.read_csv(path, dtype={"name": str})
    assert back["name"].tolist() == ['\'=HYPERLINK("http://x","y")', "'+86 10", "'-1+2", "'@SUM(A1)", "普通", "-3.5"]
    assert back["n"].tolist() == [-1, 2, 3, 4, 5, 6]
    from prioanalysis.report.tables import restore_text

    assert restore_text(back)["name"].tolist() == table["name"].tolist()
