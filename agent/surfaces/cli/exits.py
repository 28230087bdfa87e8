"""The command line's exit codes, and the errors that choose them (DESIGN.md "Command line")."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
"""0 success; 1 the run failed; 2 bad usage or configuration (one line that says what to fix); 3 the run finished
with partial results."""

EXIT_CODES = """exit codes:
  0  success
  1  the run failed
  2  bad usage or configuration (one line on stderr says what to fix)
  3  the run finished with partial results (some region or service failed)"""
"""The table every `--help` ends with."""


class UsageError(Exception):
    """Bad arguments or configuration: one line, exit code 2. The message does not repeat the command's name."""


class RunFailed(Exception):
    """The run ended without results worth the name (every AWS call failed): one line, exit code 1."""
