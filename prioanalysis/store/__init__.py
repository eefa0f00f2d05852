"""The customer information system (step 2.3.4): the database, its schema and
migrations.
"""

from __future__ import annotations

from prioanalysis._lazy import submodules

__getattr__, __dir__ = submodules(__name__, __path__)
