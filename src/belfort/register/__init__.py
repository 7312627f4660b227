"""The processing register (GDPR art. 30): entries, their rules and how they are published.

- ``model``: what an entry is and how input is validated;
- ``store``: entries in the catalogue database (create, change, life cycle, audit);
- ``rules``: a dataset holding personal data needs a published entry to be published;
- ``service``: the operations staff use (store + audit + republishing the register);
- ``dataset``: the register as the dataset ``verwerkingsregister-stad-gent``;
- ``linked``: the register as RDF (graph ``<http://stad.gent/data-processes/>``);
- ``queries``: the register site's SPARQL COUNT and LIST queries;
- ``demo``: a demo register of a city.

See docs/processing-register.md.
"""
