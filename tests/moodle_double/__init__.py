"""A test double of Moodle's REST web services, for tests and benchmarks (see server.py)."""

from . import plugin  # registers local_coursebridge's functions, available once install_plugin() ran
from .server import FAULT_KINDS, Cost, Faults, MoodleDouble
from .site import Site

__all__ = ["FAULT_KINDS", "Cost", "Faults", "MoodleDouble", "Site", "plugin"]
