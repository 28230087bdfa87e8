"""The simulated AWS account (see docs/architecture.md)."""
