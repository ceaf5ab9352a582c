"""Outreach: plaincrm writes to customers itself, reviewed first, sent once, logged.

One concern per module, data flowing one way:

- :mod:`.names`: the occasions and the names of kinds; :mod:`.settings`: the ``[outreach]``
  options of ``plaincrm.toml`` (entries of the one spec, :data:`plaincrm.config.SPEC`);
- :mod:`.occasions`: when a profile is due a message (a pure function over the reminder model);
- :mod:`.ledger`: what was sent, read back from the profiles' logs;
- :mod:`.consent`: opt-outs, the suppression list, usable addresses;
- :mod:`.template`: the message templates, rendered in a Jinja2 sandbox;
- :mod:`.plan`: what goes out today and why (the dry run);
- :mod:`.schedule`: what was sent and what goes out, as reminder rules for the agenda and the
  calendar;
- :mod:`.message`: one message as RFC 5322 bytes;
- :mod:`.mailconfig` and :mod:`.transport`: the SMTP settings and the connection;
- :mod:`.send`: drafts, and sending each message once, recorded before and after;
- :mod:`.report`: text and JSON; :mod:`.run`: one run, for ``plaincrm outreach``.
"""
