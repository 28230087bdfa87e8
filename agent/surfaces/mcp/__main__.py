"""`python -m agent.surfaces.mcp [-v]`: the same as `cost-agent [-v] mcp`."""

import sys

from agent.surfaces.cli.main import main

sys.exit(main([*sys.argv[1:], "mcp"]))
