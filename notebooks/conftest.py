"""The notebook tests (``pytest --nbval-lax --nbval-current-env notebooks/``) run on the
sample data, whose inquiry log covers 2025. ``40_inquiry_monthly`` reports the previous
calendar month when its ``month`` parameter is empty, so the tests take 15 November 2025
as today (``PRIOANALYSIS_TODAY``, read by ``prioanalysis.steps.inquiries.previous_month``)
and the notebook reports October 2025. A value set in the environment wins.
"""

import os

os.environ.setdefault("PRIOANALYSIS_TODAY", "2025-11-15")
