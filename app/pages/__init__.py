"""The web pages people watch runs on (``/runs``, ``/runs/{id}``) and ``/metrics``."""
