"""Herald: security-incident notification workflow engine on Temporal."""

__version__ = "0.1.0"
