"""Slack: the approval message, decisions from its buttons, progress in its thread, and
``@fixer fix owner/repo#N`` mentions. Mounted at ``POST /slack/events`` when Slack is set up.
"""
