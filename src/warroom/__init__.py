"""warroom: a company's software emergency plan, run as a service."""

__version__ = "0.1.0"
