"""The judges' AHP judgements file (``params/<year>/judgements.yaml``).

The file is YAML, but its validation builds every pairwise matrix (keys, values,
missing or doubled pairs, the same hierarchy for every judge) with the AHP kernels of
:mod:`prioanalysis.methods.weights`, which work on pandas frames; the parameter layer
(``config``) loads no pandas and imports no kernel, so the reader lives here with the
other input tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prioanalysis.config.params import CriteriaParams
from prioanalysis.config.yamlfile import read_yaml, shown
from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods.weights import SAATY_SCALE, judgements_to_matrix, validate_judgements

__all__ = ["load_judgements", "check_judgements"]


def load_judgements(path: str | Path) -> dict[str, Any]:
    r"""Read and validate a YAML judgements file.

    The file holds either one hierarchy spec (see
    :func:`prioanalysis.methods.weights.ahp_hierarchy`)::

        families:
          attractiveness vs feasibility: 2
        criteria:
          attractiveness:
            it_budget vs growth: 3
            ...

    or several judges::

        judges:
          张伟 (BU VP):
            families: {...}
            criteria: {...}
          李娜 (segment manager): {...}

    Judgements are numbers or strings such as ``"1/3"``. A pair the judge skips on
    purpose is written with an empty value, ``null`` or ``~`` (``growth vs
    strategic_fit: null``): every pair must still be listed, so that a forgotten pair
    stays an error, and the judged pairs must connect all criteria of the family (the
    error names the judge and the groups of criteria not compared with each other).
    Skipped pairs are completed by Harker's method when the weights are computed
    (:func:`~prioanalysis.methods.weights.ahp`). Validation
    (:func:`prioanalysis.methods.weights.validate_judgements`) builds every matrix but
    does not judge consistency: that is reported by
    :func:`~prioanalysis.methods.weights.ahp_hierarchy` /
    :func:`~prioanalysis.methods.weights.ahp_group`.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file (UTF-8), read with :func:`prioanalysis.config.yamlfile.read_yaml`
        (repeated keys, encodings and aliases checked).

    Returns
    -------
    dict
        The file's content as loaded, ready for ``ahp_hierarchy`` (one spec) or
        ``ahp_group(data["judges"])`` (several judges).

    Raises
    ------
    ParamsError
        The file cannot be read, is not YAML, or fails validation; the message starts
        with the file name and gives the key path, e.g.
        ``judgements.yaml: judges.李娜.criteria.attractiveness: 1 missing judgement(s): ...``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = "criteria:\n  attractiveness:\n    it_budget vs growth: 1/3\n"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = pathlib.Path(tmp, "judgements.yaml")
    ...     _ = file.write_text(text, encoding="utf-8")
    ...     load_judgements(file)
    {'criteria': {'attractiveness': {'it_budget vs growth': '1/3'}}}
    """
    file = Path(path)
    data = read_yaml(file, "judgements file")
    if isinstance(data, dict) and not data.keys() & {"judges", "families", "criteria"}:
        raise ParamsError(
            f"{file}: unknown top-level key(s) {shown(list(data))}; expected 'judges' (several judges) "
            "or 'families' and 'criteria' (one hierarchy)"
        )
    try:
        validate_judgements(data)
    except InputError as exc:
        raise ParamsError(f"{file}: {exc}") from exc
    return data


def check_judgements(path: str | Path, criteria: CriteriaParams) -> dict[str, Any]:
    """Read a judgements file (:func:`load_judgements`) and check it against ``criteria.yaml``.

    The check a run's preflight makes, so that a judgements file that the notebooks
    could not use is refused before anything is written: every family and criterion
    named must be one of ``criteria.yaml`` (a criterion in its own family), every
    criterion of ``criteria.yaml`` must be judged (each family present), and every
    judgement must lie on Saaty's scale, 1/9 to 9.

    Parameters
    ----------
    path : str or pathlib.Path
        The judgements file.
    criteria : CriteriaParams
        The criteria of the same year (``load_params(...).criteria``).

    Returns
    -------
    dict
        The file's content, as :func:`load_judgements` returns it.

    Raises
    ------
    ParamsError
        Naming the file, the key path (``judges.张伟.criteria.attractiveness``) and
        the names or values at fault.
    """
    file = Path(path)
    data = load_judgements(file)
    judges = data.get("judges", {"": data})
    family_of = {c.id: c.family for c in criteria.criteria}
    families = list(dict.fromkeys(family_of.values()))
    lo, hi = float(SAATY_SCALE.min()), float(SAATY_SCALE.max())
    problems: list[str] = []

    def matrix_of(spec: Any) -> tuple[list[str], list[tuple[str, float]]]:
        if isinstance(spec, str):
            return [spec], []
        if isinstance(spec, list):
            return [str(x) for x in spec], []
        m = judgements_to_matrix(spec)
        labels = [str(x) for x in m.index]
        values = m.to_numpy(dtype=float)
        off = [
            (f"{labels[i]} vs {labels[j]}", float(values[i, j]))
            for i in range(len(labels))
            for j in range(i + 1, len(labels))
            if values[i, j] == values[i, j] and not lo - 1e-9 <= values[i, j] <= hi + 1e-9
        ]
        return labels, off

    for judge, spec in judges.items():
        where = f"judges.{judge}." if judge else ""
        blocks = spec.get("criteria") or {}
        for family, fam_spec in blocks.items():
            at = f"{where}criteria.{family}"
            if family not in families:
                problems.append(f"{at}: unknown family {family!r} (criteria.yaml has {', '.join(families)})")
                continue
            names, off = matrix_of(fam_spec)
            unknown = [n for n in names if n not in family_of]
            if unknown:
                problems.append(f"{at}: unknown criteria {shown(unknown)} (not in criteria.yaml; check the spelling)")
            elsewhere = [n for n in names if n in family_of and family_of[n] != family]
            if elsewhere:
                problems.append(f"{at}: {shown(elsewhere)} belong to another family in criteria.yaml")
            missing = [c for c, f in family_of.items() if f == family and c not in names]
            if missing:
                problems.append(f"{at}: criteria of this family not judged: {shown(missing)}")
            problems += [f'{at}["{pair}"]: {value:g} is off Saaty\'s scale (1/9 to 9)' for pair, value in off]
        absent = [f for f in families if f not in blocks]
        if absent:
            problems.append(f"{where}criteria: no judgements for the famil(ies) {shown(absent)} of criteria.yaml")
        fam_block = spec.get("families")
        if isinstance(fam_block, dict) and fam_block:
            names, off = matrix_of(fam_block)
            unknown = [n for n in names if n not in families]
            if unknown:
                problems.append(f"{where}families: unknown families {shown(unknown)} (criteria.yaml has {families})")
            problems += [
                f'{where}families["{pair}"]: {value:g} is off Saaty\'s scale (1/9 to 9)' for pair, value in off
            ]
    if problems:
        listed = problems[:12] + ([f"and {len(problems) - 12} more"] if len(problems) > 12 else [])
        raise ParamsError(
            f"{file}: {len(problems)} problem(s) against criteria.yaml:\n" + "\n".join(f"  - {p}" for p in listed)
        )
    return data
