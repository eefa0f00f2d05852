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

import yaml

from prioanalysis.errors import InputError, ParamsError
from prioanalysis.methods.weights import validate_judgements

__all__ = ["load_judgements"]


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

    Judgements are numbers or strings such as ``"1/3"``. Validation
    (:func:`prioanalysis.methods.weights.validate_judgements`) builds every matrix but
    does not judge consistency: that is reported by
    :func:`~prioanalysis.methods.weights.ahp_hierarchy` /
    :func:`~prioanalysis.methods.weights.ahp_group`.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file (UTF-8), read with :func:`yaml.safe_load`.

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
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParamsError(f"{file}: cannot read the judgements file ({exc.strerror or exc}).") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParamsError(f"{file}: not valid YAML: {exc}") from None
    try:
        validate_judgements(data)
    except InputError as exc:
        raise ParamsError(f"{file}: {exc}") from exc
    return data
