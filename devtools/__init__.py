"""Local emulations of the services Fixer talks to (GitHub, Slack, the Anthropic API).

They are real HTTP servers speaking the real protocols. ``fixer demo`` and the end-to-end
tests use them; the product reaches them only through its base-URL settings.
"""
