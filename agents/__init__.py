"""Fixer's agent library: the tool-use loop, the Anthropic adapter, planner and coder,
the sandbox tools and the Docker sandbox.

A pure library: it imports nothing from ``app`` or ``webhooks``. Durability arrives as an
injected :data:`agents.checkpoint.Checkpoint` callable.
"""
