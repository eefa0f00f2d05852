"""The default vocabularies of the input tables — one home for each.

The parameters configure most words the tables use: the segments (``run.yaml``), the
need statuses (``grades`` of ``run.yaml``), the regions and pipeline stages of the
preliminary list (``intake`` of ``run.yaml``), the handling decisions and the inquiry
channels (``inquiries.yaml``, which may also list ``need_categories`` and
``regions``). The defaults below apply where no parameters are at hand — the
customer database checking an inquiry typed on the command line without a
parameter folder, or ``inquiries.yaml`` leaving a list out. The bundled sample
(:mod:`prioanalysis.sample`) draws its inquiries from the same words.

Nothing here imports pandas or pydantic: the command line builds its help from
these tuples without loading either.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_CHANNELS",
    "DEFAULT_DECISIONS",
    "DEFAULT_NEED_CATEGORIES",
    "DEFAULT_PIPELINE_STAGES",
    "DEFAULT_REGIONS",
    "DEFAULT_SEGMENTS",
]

#: How a general inquiry came in.
DEFAULT_CHANNELS: tuple[str, ...] = ("phone", "web", "email", "exhibition", "referral")
#: Handling decisions of an inquiry, in funnel order.
DEFAULT_DECISIONS: tuple[str, ...] = ("decline", "refer_partner", "follow_up", "propose_target")
#: What an inquiring customer needs.
DEFAULT_NEED_CATEGORIES: tuple[str, ...] = ("hardware", "it_services", "cloud", "software", "maintenance")
#: Where a customer of the preliminary list stands: ``closed`` = already a customer.
DEFAULT_PIPELINE_STAGES: tuple[str, ...] = ("closed", "negotiating", "potential")
#: Sales regions.
DEFAULT_REGIONS: tuple[str, ...] = ("north", "northeast", "east", "south", "central", "southwest", "northwest")
#: Segments the customer database knows before any list, owner or inquiry names one.
DEFAULT_SEGMENTS: tuple[str, ...] = (
    "government",
    "finance",
    "education",
    "telecom",
    "manufacturing",
    "energy",
    "healthcare",
    "retail",
)
