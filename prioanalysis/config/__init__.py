"""Parameters: the YAML files under ``params/<year>/`` read into validated models.

This layer knows YAML and pydantic, not pandas: ``config.params`` holds the models of
``criteria.yaml`` and ``run.yaml`` and their loaders.
"""

from __future__ import annotations

from prioanalysis._lazy import submodules

__getattr__, __dir__ = submodules(__name__, __path__)
