"""OptiInfra Cost Agent: analysis, graph and surfaces."""
