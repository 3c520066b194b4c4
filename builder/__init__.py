"""coursebridge's course compiler: YAML sources -> typed course model -> packages."""

__version__ = "0.1.0"
