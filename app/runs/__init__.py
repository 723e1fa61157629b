"""Durable runs: the request that starts one, starting it, and the ``fix_issue`` workflow."""
