"""plaincrm: a plain-text, git-backed CRM."""

__version__ = "0.1.0"
