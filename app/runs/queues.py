"""The names of Fixer's DBOS queues: a leaf, so workflows and entry points can both name them.

``engine`` registers them with their limits at launch; workflows enqueue on them by name.
"""

from __future__ import annotations

RUNS_QUEUE = "fixer-runs"
"""Whole runs (mostly waiting on people); spreads them over the workers."""
AGENT_QUEUE = "fixer-agent-work"
"""Agent rounds: partitioned by repository (``FIXER_RUNS_PER_REPO`` at once per repo) and
capped per worker (``FIXER_MAX_SANDBOXES``), since each one holds a live sandbox."""
LLM_QUEUE = "fixer-llm"
"""Model calls of runs started before calls became steps of the run (they replay on it),
rate-limited to ``FIXER_LLM_RPM`` across all workers; newer calls are admitted by the ledger."""
NOTICES_QUEUE = "fixer-notices"
"""Small side workflows (e.g. "a run is already active" comments)."""
FOLLOWUP_QUEUE = "fixer-followups"
"""Follow-up rounds on Fixer's pull requests: partitioned by PR, one round at a time per PR
(DBOS counts a partition's running workflows in the database, so this holds across workers)."""
