"""Genesis: an open, self-hostable American Science and Security Platform.

The platform of the Genesis Mission order (EO 14363 §3(a)) and of the June 2026 AI order's frontier-model and
cybersecurity programmes. Start with `genesis_platform.bootstrap.Platform`; the command line is `genesis`.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
