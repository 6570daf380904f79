def parse_id(value) -> int:
    """A primary key from a query string or form, or 0 (matches nothing) for anything else:
    tampered ids never reach the database as errors."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else 0
