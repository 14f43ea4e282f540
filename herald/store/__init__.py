"""Herald's own database (SQLAlchemy 2): engine, schema and the delivery ledger."""

from herald.store.db import Base, create_schema, make_engine
from herald.store.ledger import DeliveryRecord, Ledger, Reconciled
from herald.store.tables import Delivery

__all__ = [
    "Base",
    "Delivery",
    "DeliveryRecord",
    "Ledger",
    "Reconciled",
    "create_schema",
    "make_engine",
]
