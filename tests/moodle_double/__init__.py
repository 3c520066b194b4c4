"""A test double of Moodle's REST web services, for tests and benchmarks (see server.py)."""

from .server import FAULT_KINDS, Faults, MoodleDouble
from .site import Site

__all__ = ["FAULT_KINDS", "Faults", "MoodleDouble", "Site"]
