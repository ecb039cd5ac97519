"""The typed documents of the JSON surface, generated from the schema (see ``_types.py``).

``from refund_rules.types import PlanInput, LedgerDoc, DigitalRiverRequest, RefundState``:
``TypedDict``s for every input document of every provider (``...Doc``/``...Input``, each
provider's request body and options), the engine's JSON results (``...Dict``) and ``Literal``
aliases for kinds, operations, states, event types, error codes and families.
"""

from ._types import *  # noqa: F401,F403
from ._types import __all__ as __all__  # noqa: F401
