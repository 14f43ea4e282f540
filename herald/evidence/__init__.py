"""The evidence pack: everything an authority will ask for about one incident, sealed.

`pack.build_pack` turns an `EvidenceRecord` (the incident workflow's `evidence` query) and
the receipts kept by `store` into one deterministic zip whose `MANIFEST.json` chains the
SHA-256 of every file; `verify.verify_pack` proves nothing in it was altered, added,
removed or reordered, and `summary` prints the PDF a lawyer reads first.
"""

from __future__ import annotations
