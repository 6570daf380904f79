"""Where enquiry uploads live: core/storage.py's private storage (never a public URL, only
ever encrypted bytes; staff download them through a permission-checked view). This name stays
because insurance/migrations/0001_initial.py refers to it."""

from core.storage import private_storage

__all__ = ["private_storage"]
