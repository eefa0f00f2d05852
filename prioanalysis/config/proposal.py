"""A proposal for next year's ``criteria.yaml``: the file in force with other weights.

The annual review (step 2.3.6) proposes new weights; the people who own the criteria
decide. So the proposal is a copy of the criteria file in force in which only the
numbers after ``weight:`` (and under ``family_weights:``) change — every other line,
comments included, is kept as written — and a diff the review meeting can read.

:func:`propose_criteria_text` does the text edit (text in, text out);
:func:`prioanalysis.steps.calibration.write_proposed_criteria` reads the file in
force and writes the proposal and its diff into the run folder.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import yaml

from prioanalysis.errors import ParamsError

__all__ = ["propose_criteria_text", "round_weights"]

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _ids(labels: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(x) for x in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def round_weights(values: np.ndarray | list[float], decimals: int = 4) -> list[str]:
    """Round weights to ``decimals`` so that they still sum to exactly 1, as text.

    Largest-remainder rounding on units of ``10**-decimals``.

    Examples
    --------
    >>> round_weights([1, 1, 1])
    ['0.3334', '0.3333', '0.3333']
    """
    unit = 10**decimals
    v = np.asarray(values, dtype=np.float64)
    v = v / v.sum() * unit
    base = np.floor(v).astype(np.int64)
    short = unit - int(base.sum())
    order = np.argsort(-(v - base), kind="stable")
    base[order[:short]] += 1
    return [f"{u // unit}.{u % unit:0{decimals}d}" for u in base]


def _top_blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (line of the key, line after its block)."""
    keys = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _TOP_KEY.match(line)) is not None]
    out: dict[str, tuple[int, int]] = {}
    for j, (i, key) in enumerate(keys):
        out[key] = (i, keys[j + 1][0] if j + 1 < len(keys) else len(lines))
    return out


def _replace_value(line: str, pattern: re.Pattern[str], new: str) -> tuple[str, int]:
    """Replace the number in group 2 by ``new``; an equal number keeps its spelling."""

    def repl(m: re.Match[str]) -> str:
        return m.group(0) if float(m.group(2)) == float(new) else m.group(1) + new

    return pattern.subn(repl, line, count=1)


def _edit_criteria(lines: list[str], span: tuple[int, int], ids: list[str], new: Mapping[str, str], path: str) -> None:
    key_line, end = span
    if "[" in lines[key_line].split(":", 1)[1].split("#", 1)[0]:
        raise ParamsError(
            f"{path}: `criteria` is written as a flow list ([...]); write it as a block "
            "list (one '- id: ...' item per criterion) so weights can be replaced."
        )
    dash = re.compile(r"^(\s*)-(\s+)")
    items = [i for i in range(key_line + 1, end) if dash.match(lines[i])]
    if not items:
        raise ParamsError(f"{path}: no '- id: ...' items found under `criteria`.")
    indent = len(dash.match(lines[items[0]]).group(1))  # type: ignore[union-attr]
    items = [i for i in items if len(dash.match(lines[i]).group(1)) == indent]  # type: ignore[union-attr]
    if len(items) != len(ids):
        raise ParamsError(
            f"{path}: found {len(items)} criteria items by line but {len(ids)} by YAML; "
            "cannot replace the weights line by line."
        )
    bounds = [*items[1:], end]
    for cid, first, last in zip(ids, items, bounds):
        m0 = dash.match(lines[first])
        key_indent = len(m0.group(1)) + 1 + len(m0.group(2))  # type: ignore[union-attr]
        done = 0
        flow = re.compile(r"(\bweight\s*:\s*)(" + _NUMBER + r")")
        for i in range(first, last):
            line = lines[i]
            if i == first and line[key_indent:].lstrip().startswith("{"):
                lines[i], done = _replace_value(line, flow, new[cid])
            else:
                pat = re.compile(
                    r"^("
                    + (re.escape(line[:key_indent]) if i == first else " " * key_indent)
                    + r"weight\s*:\s*)("
                    + _NUMBER
                    + r")(?=\s*(?:#|$))"
                )
                lines[i], done = _replace_value(line, pat, new[cid])
            if done:
                break
        if not done:
            raise ParamsError(f"{path}: could not find the `weight:` line of criterion '{cid}'.")


def _edit_family_weights(lines: list[str], span: tuple[int, int], new: Mapping[str, str], path: str) -> None:
    key_line, end = span
    for fam, val in new.items():
        done = 0
        for i in range(key_line, end):
            if i == key_line:
                pat = re.compile(r"(\b" + re.escape(fam) + r"\s*:\s*)(" + _NUMBER + ")")
            else:
                pat = re.compile(r"^(\s+" + re.escape(fam) + r"\s*:\s*)(" + _NUMBER + ")")
            lines[i], done = _replace_value(lines[i], pat, val)
            if done:
                break
        if not done:
            raise ParamsError(f"{path}: could not find family weight '{fam}'.")


def propose_criteria_text(
    text: str, proposed_weights: Mapping[str, float], source: str | Path = "criteria.yaml"
) -> str:
    r"""The text of a criteria file with the proposed global weights written in.

    Only the numbers after ``weight:`` (and under ``family_weights:``) change; every
    other line, including comments, is copied as is. The result is re-read and
    checked to differ from the original in the weights only.

    Parameters
    ----------
    text : str
        The criteria file in force (top-level ``criteria:`` block list of mappings
        with ``id`` and ``weight``; optional ``family_weights:``).
    proposed_weights : mapping
        Proposed **global** weights per criterion id (rescaled to sum 1); must name
        exactly the file's criteria. A ``pandas.Series`` works.
    source : str or Path
        Name of the file, for the messages.

    Returns
    -------
    str
        The proposed file.

    Raises
    ------
    ParamsError
        The text is not a criteria file that can be edited line by line, or the
        weights do not match its criteria or are not weights.

    Notes
    -----
    With ``family_weights`` the file holds within-family weights (global = family
    weight x within-family weight). The new family weight is the sum of the
    proposed global weights of its criteria; the within-family weight is the
    criterion's share of it (a family whose proposed total is 0 keeps its current
    within-family weights). Every group is rounded to 4 decimals with
    largest-remainder rounding (:func:`round_weights`), so it still sums to exactly 1.

    Examples
    --------
    >>> print(propose_criteria_text(
    ...     "criteria:\n  - id: a  # budget\n    weight: 0.5\n  - id: b\n    weight: 0.5\n",
    ...     {"a": 0.7, "b": 0.3}))
    criteria:
      - id: a  # budget
        weight: 0.7000
      - id: b
        weight: 0.3000
    <BLANKLINE>
    """
    src = str(source)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParamsError(f"{src} is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("criteria"), list) or not doc["criteria"]:
        raise ParamsError(f"{src}: expected a top-level `criteria:` list.")
    crit = doc["criteria"]
    for i, c in enumerate(crit):
        if not isinstance(c, dict) or "id" not in c or "weight" not in c:
            raise ParamsError(f"{src}: criteria[{i}] needs an `id` and a `weight`.")
    ids = [str(c["id"]) for c in crit]

    given = {str(k): v for k, v in dict(proposed_weights).items()}
    missing = [i for i in ids if i not in given]
    extra = [i for i in given if i not in ids]
    if missing or extra:
        raise ParamsError(
            f"The proposed weights must name exactly the criteria of {src}: "
            + (f"missing {_ids(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"not in the file {_ids(extra)}" if extra else "")
            + "."
        )
    w = np.array([float(given[i]) for i in ids], dtype=np.float64)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ParamsError(f"The proposed weights must be finite, >= 0, not all 0: {dict(zip(ids, w.tolist()))}.")
    w = w / w.sum()

    fw = doc.get("family_weights")
    new_crit: dict[str, str] = {}
    new_fam: dict[str, str] = {}
    if fw is not None:
        if not isinstance(fw, dict):
            raise ParamsError(f"{src}: `family_weights` must be a mapping.")
        fams = [str(c.get("family")) for c in crit]
        unknown = sorted({f for f in fams if f not in fw})
        if unknown:
            raise ParamsError(f"{src}: family_weights has no weight for {unknown}.")
        fam_names = list(fw)
        fam_tot = np.array([w[np.array([f == fam for f in fams])].sum() for fam in fam_names])
        new_fam = dict(zip(fam_names, round_weights(fam_tot)))
        for fam, tot in zip(fam_names, fam_tot):
            members = [k for k, (cid, f) in enumerate(zip(ids, fams)) if f == fam]
            if not members:
                continue
            within = (
                w[members] if tot > 0 else np.array([float(c["weight"]) for c in crit if str(c.get("family")) == fam])
            )
            if within.sum() <= 0:
                within = np.ones(len(members))
            new_crit.update(zip((ids[k] for k in members), round_weights(within)))
    else:
        new_crit = dict(zip(ids, round_weights(w)))

    lines = text.splitlines(keepends=True)
    blocks = _top_blocks(lines)
    _edit_criteria(lines, blocks["criteria"], ids, new_crit, src)
    if fw is not None:
        _edit_family_weights(lines, blocks["family_weights"], new_fam, src)
    new_text = "".join(lines)

    expected = copy.deepcopy(doc)
    for c in expected["criteria"]:
        c["weight"] = float(new_crit[str(c["id"])])
    if fw is not None:
        expected["family_weights"] = {k: float(v) for k, v in new_fam.items()}
    if yaml.safe_load(new_text) != expected:
        raise ParamsError(
            f"{src}: the line-by-line replacement of the weights did not give the "
            "expected file (unusual YAML layout?); nothing was written."
        )
    return new_text
