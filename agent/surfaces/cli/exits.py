"""The command line's exit codes, and the error that means "bad usage" (DESIGN.md "Command line")."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
"""0 success; 1 the run failed; 2 bad usage or configuration (one line that says what to fix); 3 the run finished
with partial results."""


class UsageError(Exception):
    """Bad arguments or configuration: one line, exit code 2."""
