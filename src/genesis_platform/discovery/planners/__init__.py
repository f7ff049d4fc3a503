"""The built-in planners; importing this package registers them by name."""

from genesis_platform.discovery.planners.basic import RandomPlanner, SobolPlanner
from genesis_platform.discovery.planners.bayes import BayesianPlanner
from genesis_platform.discovery.planners.forest import ForestPlanner

__all__ = ["BayesianPlanner", "ForestPlanner", "RandomPlanner", "SobolPlanner"]
