"""Alerting: rules that pick mentions, the outbox that remembers what to send, and the notifiers."""
