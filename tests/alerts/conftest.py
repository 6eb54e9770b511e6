"""The alert tests' fixtures, defined in alert_helpers (a unique module name: no tests/alerts package shadows alerts)."""

from alert_helpers import slack_server, smtp_server  # noqa: F401 (fixtures)
