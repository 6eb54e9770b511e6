"""complaint-listener: hears public complaints about a brand and gets them in front of a person fast."""

__version__ = "0.1.0"
