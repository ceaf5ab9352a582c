"""Bringing contacts in and taking them out: vCard and CSV.

One stage per module, data flowing one way:

- each format's reader (:mod:`.vcard`, :mod:`.google`, :mod:`.outlook`, :mod:`.generic`, over
  :mod:`.csvfile`) turns a file into :class:`~.contact.Contact` records, each with its
  position in the file, or a :class:`~plaincrm.model.Problem` for a record it cannot read;
  :mod:`.formats` picks the reader;
- :mod:`.mapping` turns a contact into profile keys (and a profile back into a contact), with
  :mod:`.dates` for every birthday form the formats use;
- :mod:`.plan` decides, record by record, new or the same person as an existing profile
  (the rule of :func:`plaincrm.create.same_person`); :mod:`.apply` writes the new ones;
- the writers (:func:`.vcard.write_vcards`, :func:`.google.write_csv`) serve ``export``.
"""
