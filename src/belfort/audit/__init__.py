"""The audit trail (docs/access.md, "Audit trail"): every staff action and every access to
non-open data, append-only and hash-chained, with signed checkpoints.

- ``log.py``: ``record_access`` (the gate's call), the process's batched writer and the
  signed checkpoints;
- ``signing.py``: the Ed25519 checkpoint key and what a checkpoint signs;
- ``verify.py``: walking the chain (``belfort audit verify``);
- ``query.py``: the DPO's query (``GET /api/belfort/v1/audit``, ``belfort audit list``).

The chain itself (canonical form, hash, the locked append) is ``belfort.catalog.audit_chain``,
below the catalogue's own writes, which append staff actions in their transactions.
"""
