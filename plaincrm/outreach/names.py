"""The names outreach knows: its occasions, and what a log entry kind or campaign may be called.

Kept apart (no imports from plaincrm) so that the configuration spec in :mod:`plaincrm.config`
can check the ``[outreach]`` options without importing the rest of outreach.
"""

from __future__ import annotations

import re

OCCASION_NAME = re.compile(r"[a-z][a-z0-9_-]*")
BUILTIN_OCCASIONS = ("birthday", "anniversary", "service", "feedback", "invoice", "stage")
