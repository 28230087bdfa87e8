"""Kept only so older imports still resolve (agent/surfaces/collectors.py reads `state_of` from here).

The pieces now live in context.py (Context, Hit, Outcome), money.py, evidence.py, readings.py and tags.py; import
them from there. This module goes once nothing imports it.
"""

from agent.analysis.context import Context, Hit, Outcome
from agent.analysis.evidence import insufficient, make_hit
from agent.analysis.readings import as_datetime, metric, state_of, utc
from agent.analysis.tags import environment, is_ignored, is_non_production, is_production

__all__ = ["Context", "Hit", "Outcome", "as_datetime", "environment", "insufficient", "is_ignored",
           "is_non_production", "is_production", "make_hit", "metric", "state_of", "utc"]
