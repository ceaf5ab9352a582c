"""``plaincrm pulse``: the heartbeat of the business at a glance.

- :mod:`plaincrm.pulse.gather` gets the records (profiles, the git history);
- :mod:`plaincrm.pulse.history` reads the git history into status changes and authors;
- :mod:`plaincrm.pulse.timeline` says when each customer was active (retention, cohorts);
- :mod:`plaincrm.pulse.metrics` computes every figure from those records (pure);
- :mod:`plaincrm.render.pulse` and :mod:`plaincrm.render.pulse_html` show them.

Every definition is in docs/pulse.md.
"""
