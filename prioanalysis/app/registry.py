"""The notebook registry: what each notebook of ``notebooks/`` needs, in one place.

Every notebook opens with **one setup call** and ends with **one table-writing call**::

    ctx = pa.app.registry.setup("20_ranking", year=year, params_dir=params_dir,
                                input_path=input_path, output_dir=output_dir)
    ...
    ctx.write(tables, ranking=result)

:func:`setup` validates the notebook's parameters (a :class:`~prioanalysis.errors.ParamsError`
naming the parameter), loads the parameter files, sets the figure style and returns a
:class:`Context`: the parameters (``ctx.params``), the run folder, what the notebook's
step validated (the review's inputs, the monthly report's log) and the helpers the
notebooks share. :meth:`Context.write` writes the tables into the run folder.

The runner (:mod:`prioanalysis.app.runner`) asks the registry for each notebook's
**preflight** (:func:`preflight`): the inputs checked before anything is written, and
their hashes for ``run.json``. A notebook the registry does not know gets the default
preflight (this year's preliminary list).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prioanalysis.config.params import Params
from prioanalysis.errors import ParamsError

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import pandas as pd

    from prioanalysis.steps.ranking import RankingResult

__all__ = [
    "Context",
    "NotebookSpec",
    "NOTEBOOKS",
    "notebook",
    "setup",
    "preflight",
    "file_sha256",
    "preliminary_preflight",
    "ranking_preflight",
    "judgements_preflight",
    "owners_preflight",
    "calibration_preflight",
    "review_preflight",
    "monthly_preflight",
]

#: Where the checks of :func:`preflight` put what they found.
_NOTES: ContextVar[list[str] | None] = ContextVar("prioanalysis_preflight_notes", default=None)


def _note(text: str) -> None:
    notes = _NOTES.get()
    if notes is not None:
        notes.append(text)


#: A preflight check: (params, the notebook's parameters, --input, database engine) →
#: hashes of the inputs it validated.
Check = Callable[[Params, Mapping[str, Any], "str | None", Any], dict[str, str]]


# --------------------------------------------------------------------------- context
@dataclass
class Context:
    """What a notebook's setup returns.

    Attributes
    ----------
    notebook : str
        The notebook's name.
    params : Params
        The cycle's parameters.
    output_dir : str
        The run folder ("" when the notebook only shows).
    parameters : dict
        The notebook parameters given to :func:`setup`.
    inputs : object or None
        What the notebook's step validated: the review's
        :class:`~prioanalysis.steps.review.ReviewInputs`, the monthly report's
        :class:`~prioanalysis.steps.inquiries.MonthlyInputs`; None otherwise.
    """

    notebook: str
    params: Params
    output_dir: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    inputs: Any = None

    @property
    def run(self) -> Any:
        """``run.yaml`` of the cycle."""
        return self.params.run

    @property
    def criteria(self) -> Any:
        """``criteria.yaml`` of the cycle."""
        return self.params.criteria

    @property
    def lang(self) -> str:
        """Report language (``run.yaml`` ``report.language``)."""
        return self.params.run.report.language

    @property
    def labels(self) -> dict[str, str]:
        """Criterion id → label."""
        return dict(self.params.spec.labels)

    @property
    def segment_labels(self) -> dict[str, str]:
        """Segment id → label."""
        return {k: v.label for k, v in self.params.run.segments.items()}

    def write(
        self, tables: Mapping[str, pd.DataFrame] | None = None, *, ranking: RankingResult | None = None
    ) -> list[Path]:
        """Write the notebook's tables into the run folder (nothing when it has none).

        Parameters
        ----------
        tables : mapping, optional
            Name → table, written as ``tables/<name>.csv``
            (:func:`prioanalysis.report.tables.write_csv`).
        ranking : RankingResult, optional
            A ranking (notebook 20): its tables (``target_list.csv`` ...) and the
            target-list workbook ``target_list_<year>.xlsx``. The ranking itself is
            persisted in the run folder by
            :func:`prioanalysis.steps.robustness.rank_with_robustness`.

        Returns
        -------
        list of Path
            The files written -- returned, not shown: the report is for its readers.
        """
        if not self.output_dir:
            return []
        from prioanalysis.report import tables as out

        written: list[Path] = []
        if ranking is not None:
            written += out.write_ranking_tables(ranking, self.output_dir)
            written.append(
                out.write_target_workbook(
                    ranking, f"{self.output_dir}/target_list_{self.params.run.year}.xlsx", self.params
                )
            )
        for name, table in (tables or {}).items():
            written.append(out.write_csv(table, f"{self.output_dir}/tables/{name}.csv"))
        return written


# --------------------------------------------------------------------------- preflights
def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    import hashlib

    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def preliminary_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """This year's preliminary list, validated row by row (from the database with
    ``engine``), and the owners file; their hashes.
    """  # noqa: D404  ("This year's" names the year, it does not describe the function)
    from prioanalysis.inputs import preliminary as intake
    from prioanalysis.inputs.tables import read_table

    if engine is not None:
        from prioanalysis.store import database as store

        year = params.run.year
        res = intake.validate_preliminary(store.load_preliminary(engine, year), params)
        _note(f"{store.masked_url(engine)} ({year}): ok — {len(res.customers)} customers to score")
        hashes = {f"db:{store.masked_url(engine)}#preliminary/{year}": store.preliminary_fingerprint(engine, year)}
    else:
        path = _input_path(params, parameters, input_path)
        res = intake.validate_preliminary(read_table(path), params, _owners(params, parameters))
        hashes = {str(path): file_sha256(path)}
        _note(
            f"{path}: ok — {len(res.customers)} customers to score, {res.claims['customer_id'].nunique()} proposed "
            f"by several segments, {len(res.excluded)} rows excluded"
        )
    if params.run.inputs.owners:
        op = params.resolve(params.run.inputs.owners)
        if op.is_file():
            hashes[str(op)] = file_sha256(op)
    return hashes


def _owners(params: Params, parameters: Mapping[str, Any]) -> pd.DataFrame | None:
    """The owners a list's owner ids are checked against (``owners_path`` or
    ``inputs.owners`` of ``run.yaml``), None when there are none.
    """
    from prioanalysis.inputs.owners import read_owners
    from prioanalysis.methods.assignment import capacity_columns

    given = str(parameters.get("owners_path") or "")
    configured = params.run.inputs.owners
    if not given and not configured:
        return None
    path = Path(given) if given else params.resolve(str(configured))
    if not path.is_file():
        where = "parameter 'owners_path'" if given else f"{params.run_path}: inputs.owners"
        raise ParamsError(f"{where}: file not found: {path}")
    a = params.run.assignment
    if a.capacity_column and a.mode == "workload":  # the owners' capacity in the service levels' unit
        return read_owners(path, [a.capacity_column])
    return read_owners(path, list(capacity_columns(params.run.tiers.names).values()))


def _input_path(params: Params, parameters: Mapping[str, Any], input_path: str | None) -> Path:
    """The preliminary list a notebook reads: ``input_path`` (its parameter or
    ``--input``), else ``inputs.preliminary_list`` of ``run.yaml``.
    """
    given = parameters.get("input_path") or input_path
    return Path(str(given)) if given else params.resolve(params.run.inputs.preliminary_list)


def ranking_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """The ranking itself, computed once without writing anything: what only the
    method can refuse (TOPSIS on negative values without ``minmax``, quotas that
    cannot be met, a list with no customer left to score ...).
    """
    from prioanalysis.steps.ranking import rank_customers

    if engine is not None:
        from prioanalysis.inputs import preliminary as intake
        from prioanalysis.store import database as store

        rank_customers(intake.validate_preliminary(store.load_preliminary(engine, params.run.year), params), params)
        return {}
    from prioanalysis.steps.ranking import run_ranking

    path = _input_path(params, parameters, input_path)
    run_ranking(params, path)
    return {str(path): file_sha256(path)}


def judgements_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """``judgements.yaml`` beside ``criteria.yaml`` (optional): every judge's matrices
    built and the group weights computed (inconsistency is reported, not refused).
    """
    import warnings

    from prioanalysis.errors import InconsistencyWarning
    from prioanalysis.methods.weights import ahp_group, ahp_hierarchy

    path = params.directory / "judgements.yaml"
    if not path.is_file():
        return {}
    from prioanalysis.inputs import judgements

    data = judgements.check_judgements(path, params.criteria)  # its names checked against criteria.yaml
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistencyWarning)
        if isinstance(data, Mapping) and "judges" in data:
            ahp_group(data["judges"])
        else:
            ahp_hierarchy(data)
    return {str(path): file_sha256(path)}


def parameter_files_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """The optional parameter files of the year's folder that no selected notebook
    reads (``goals.yaml``, ``inquiries.yaml``, ``decisions.yaml``): validated all the same, so that a typo
    is found when the analyst runs ``validate`` or any part of the cycle, not months
    later by the notebook that needs the file.
    """
    from prioanalysis.config.goals import load_goals
    from prioanalysis.config.inquiries import load_inquiry_params

    hashes: dict[str, str] = {}
    goals = params.directory / "goals.yaml"
    if goals.is_file():
        load_goals(goals, year=params.run.year)
        hashes[str(goals)] = file_sha256(goals)
    inquiry_params = params.directory / "inquiries.yaml"
    if inquiry_params.is_file():
        load_inquiry_params(inquiry_params)
        hashes[str(inquiry_params)] = file_sha256(inquiry_params)
    if params.decisions is not None and params.decisions_path is not None:
        _decisions_preflight(params, input_path, engine)
        hashes[str(params.decisions_path)] = file_sha256(params.decisions_path)
    return hashes


def _decisions_preflight(params: Params, input_path: str | None, engine: Any) -> None:
    """``decisions.yaml`` (its keys, segments and tiers checked by ``load_params``): every
    customer it names on this year's preliminary list — a claim override's segment among
    the customer's claims, a tier change's customer scored.
    """
    from prioanalysis.config.decisions import check_customers
    from prioanalysis.inputs import preliminary as intake
    from prioanalysis.inputs.tables import read_table

    decisions = params.decisions
    if decisions is None or decisions.empty or engine is not None:  # from the database: the ranking's preflight
        return
    raw = read_table(_input_path(params, {}, input_path))
    res = intake.validate_preliminary(raw, params)  # claim overrides checked where the claims are resolved
    it = params.run.intake
    check_customers(
        decisions,
        params.decisions_path or "decisions.yaml",
        set(res.proposed[it.id_column].astype(str)),
        set(res.customers[it.id_column].astype(str)),
        res.source,
    )


def owners_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """The owners and their capacities (``owners_path`` or ``inputs.owners`` of
    ``run.yaml``), validated row by row.
    """
    if _owners(params, parameters) is None:
        return {}
    given = str(parameters.get("owners_path") or "")
    path = Path(given) if given else params.resolve(str(params.run.inputs.owners))
    return {str(path): file_sha256(path)}


def calibration_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """The calibration's inputs: last year's parameters, list and outcomes, read and
    joined as the notebook does.
    """
    from prioanalysis.steps.calibration import load_calibration_inputs

    year = int(parameters.get("calibration_year") or 0)
    inputs = load_calibration_inputs(params, year, str(parameters.get("outcomes_path") or ""))
    prev = inputs.previous
    files = [prev.criteria_path, prev.run_path, prev.resolve(prev.run.inputs.preliminary_list)]
    return {str(f): file_sha256(f) for f in files if Path(f).is_file()}


def review_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """The annual review's inputs, loaded as the notebook does: the reviewed year's
    parameters and goals, its list (frozen or recomputed), the year before's, the
    outcomes (validated row by row) and the inquiry log; their hashes. (With
    ``engine`` they come from the database and are checked once exported.)
    """
    if engine is not None:
        return {}
    from prioanalysis.steps import review

    inputs = review.validate_review_parameters(
        params.run.year,
        str(params.directory),
        "",
        str(parameters.get("frozen_list", "")),
        str(parameters.get("outcomes_path", "")),
        str(parameters.get("frozen_list_previous", "")),
    )
    from prioanalysis.inputs.frozen_list import read_frozen_list

    review.load_review_data(inputs)
    if inputs.frozen_list is not None:  # tiers and grades checked against the reviewed year's run.yaml
        read_frozen_list(inputs.frozen_list, inputs.review_params)
    if inputs.frozen_list_previous is not None:
        read_frozen_list(inputs.frozen_list_previous, inputs.previous_params or inputs.review_params)
    files: list[Path | None] = [
        inputs.outcomes_path,
        inputs.inquiries_path,
        inputs.frozen_list,
        inputs.frozen_list_previous,
        inputs.goals_path,
        inputs.review_params.criteria_path,
        inputs.review_params.run_path,
    ]
    if inputs.frozen_list is None:
        files.append(inputs.review_params.resolve(inputs.review_params.run.inputs.preliminary_list))
    if inputs.previous_params is not None:
        pp = inputs.previous_params
        files += [pp.criteria_path, pp.run_path]
        if inputs.frozen_list_previous is None:
            files.append(pp.resolve(pp.run.inputs.preliminary_list))
    return {str(f): file_sha256(f) for f in files if f and Path(f).is_file()}


def monthly_preflight(
    params: Params, parameters: Mapping[str, Any], input_path: str | None = None, engine: Any = None
) -> dict[str, str]:
    """The monthly report's inputs: ``inquiries.yaml``, the month and the inquiry log
    (validated row by row, the month present in it).
    """
    from prioanalysis.inputs.inquiries import read_inquiries
    from prioanalysis.steps import inquiries

    month = parameters.get("month", "")
    inputs = inquiries.validate_monthly_parameters(
        month, params.run.year, str(params.directory), str(parameters.get("inquiries_path") or "")
    )
    log = read_inquiries(inputs.inquiries_path, inputs.inquiry_params)
    inquiries.select_month(log, month)
    return {str(inputs.inquiry_params_path): file_sha256(inputs.inquiry_params_path)} | {
        str(inputs.inquiries_path): file_sha256(inputs.inquiries_path)
    }


# --------------------------------------------------------------------------- setups
def _use_style() -> None:
    from prioanalysis.report.figures import use_style

    use_style()


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParamsError(f"parameter '{name}': expected text (got {value!r})")
    return value


def _ranking_setup(name: str) -> Callable[..., Context]:
    def make(year: int, params_dir: str, input_path: str = "", output_dir: str = "", **extra: Any) -> Context:
        from prioanalysis.report.notebook import validate_ranking_parameters

        params = validate_ranking_parameters(year, params_dir, input_path, output_dir)
        for key, value in extra.items():
            if key.endswith("_path") and _text(key, value) and not Path(value).is_file():
                raise ParamsError(f"parameter '{key}': file not found: {value}")
        return Context(
            name,
            params,
            output_dir,
            {"year": year, "params_dir": params_dir, "input_path": input_path, "output_dir": output_dir, **extra},
        )

    return make


def _calibration_setup(
    year: int, params_dir: str, output_dir: str = "", target: str = "conversion", **extra: Any
) -> Context:
    from prioanalysis.report.notebook import validate_ranking_parameters

    params = validate_ranking_parameters(year, params_dir, "", output_dir)
    if target not in ("conversion", "revenue"):
        raise ParamsError(f"parameter 'target': expected conversion or revenue (got {target!r})")
    return Context(
        "10_criteria_calibration",
        params,
        output_dir,
        {"year": year, "params_dir": params_dir, "output_dir": output_dir, "target": target, **extra},
    )


def _review_setup(
    year: int,
    params_dir: str,
    output_dir: str = "",
    frozen_list: str = "",
    outcomes_path: str = "",
    frozen_list_previous: str = "",
) -> Context:
    from prioanalysis.steps import review

    inputs = review.validate_review_parameters(
        year, params_dir, output_dir, frozen_list, outcomes_path, frozen_list_previous
    )
    return Context(
        "30_annual_review",
        inputs.params,
        output_dir,
        {
            "year": year,
            "params_dir": params_dir,
            "output_dir": output_dir,
            "frozen_list": frozen_list,
            "outcomes_path": outcomes_path,
            "frozen_list_previous": frozen_list_previous,
        },
        inputs,
    )


def _monthly_setup(month: str, year: int, params_dir: str, inquiries_path: str = "", output_dir: str = "") -> Context:
    from prioanalysis.steps import inquiries

    inputs = inquiries.validate_monthly_parameters(month, year, params_dir, inquiries_path, output_dir)
    return Context(
        "40_inquiry_monthly",
        inputs.params,
        output_dir,
        {
            "month": month,
            "year": year,
            "params_dir": params_dir,
            "inquiries_path": inquiries_path,
            "output_dir": output_dir,
        },
        inputs,
    )


# --------------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class NotebookSpec:
    """One notebook of the cycle.

    Attributes
    ----------
    name : str
        File name without ``.ipynb``.
    title : str
        What it answers.
    setup : callable
        Its notebook parameters → :class:`Context` (validates them).
    checks : tuple of callables
        Its preflight: the inputs checked before a run writes anything.
    """

    name: str
    title: str
    setup: Callable[..., Context]
    checks: tuple[Check, ...] = (preliminary_preflight,)


NOTEBOOKS: dict[str, NotebookSpec] = {
    spec.name: spec
    for spec in (
        NotebookSpec(
            "10_criteria_calibration",
            "Criteria calibration: last year's outcomes → proposed weights",
            _calibration_setup,
            (judgements_preflight, calibration_preflight),
        ),
        NotebookSpec(
            "20_ranking",
            "The ranking: tiered target list of the year",
            _ranking_setup("20_ranking"),
            (preliminary_preflight, ranking_preflight),
        ),
        NotebookSpec(
            "25_robustness",
            "Robustness: weight and data uncertainty, owner assignment",
            _ranking_setup("25_robustness"),
            (preliminary_preflight, ranking_preflight, judgements_preflight, owners_preflight),
        ),
        NotebookSpec(
            "30_annual_review",
            "Annual review of last year's list against its outcomes",
            _review_setup,
            (preliminary_preflight, review_preflight),
        ),
        NotebookSpec(
            "40_inquiry_monthly", "Monthly inquiry report", _monthly_setup, (preliminary_preflight, monthly_preflight)
        ),
    )
}

_DEFAULT = NotebookSpec("", "a notebook the registry does not know", _ranking_setup(""))


def notebook(name: str) -> NotebookSpec:
    """The registry entry of a notebook (a default one for a notebook it does not know:
    the preliminary-list preflight, the ranking parameters).
    """
    return NOTEBOOKS.get(name, _DEFAULT)


def setup(name: str, **parameters: Any) -> Context:
    """The one setup call of a notebook: validate its parameters, load the parameter
    files, set the figure style.

    Parameters
    ----------
    name : str
        The notebook (e.g. ``"20_ranking"``).
    **parameters
        Its notebook parameters.

    Returns
    -------
    Context

    Raises
    ------
    ParamsError
        A parameter of the wrong type, a year that does not match ``run.yaml``, a
        missing file or folder (each message names the parameter).
    """
    spec = NOTEBOOKS.get(name)
    if spec is None:
        raise ParamsError(f"unknown notebook {name!r}; the registry knows: {', '.join(NOTEBOOKS)}")
    ctx = spec.setup(**parameters)
    _use_style()
    return ctx


def preflight(
    params: Params,
    notebooks: Sequence[str],
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    input_path: str | None = None,
    engine: Any = None,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """Every check the notebooks of a run need, each run once, in notebook order.

    Parameters
    ----------
    params : Params
    notebooks : sequence of str
        The notebooks the run executes.
    parameters : mapping, optional
        Notebook name → the parameters given to it.
    input_path : str, optional
        ``--input``.
    engine : optional
        The database engine (``--source db``).
    notes : list, optional
        Receives what the checks found (e.g. how many customers the list has).

    Returns
    -------
    dict
        Input → SHA-256, for ``run.json``.

    Raises
    ------
    ParamsError, InputError
        A bad input (nothing has been written yet).
    """
    done: set[Check] = set()
    hashes: dict[str, str] = {}
    token = _NOTES.set(notes if notes is not None else [])
    try:
        for name in notebooks:
            for check in notebook(name).checks:
                if check in done:
                    continue
                done.add(check)
                hashes.update(check(params, (parameters or {}).get(name, {}), input_path, engine))
        for check in (judgements_preflight, parameter_files_preflight):  # every parameter file, used or not
            if check not in done:
                done.add(check)
                hashes.update(check(params, {}, input_path, engine))
    finally:
        _NOTES.reset(token)
    return hashes
