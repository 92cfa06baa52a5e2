"""How the control API's listings look: one page of rows under the name of what they are, and the total."""

from __future__ import annotations


def listing(name: str, rows: list, total: int, q: dict) -> dict:
    """``{name: rows, "total", "page", "page_size"}`` for a ``PageQuery`` ``q``."""
    return {name: rows, "total": total, "page": q["page"], "page_size": q["page_size"]}


def bounds(q: dict) -> tuple[int, int]:
    """The slice of the whole list a ``PageQuery`` asks for."""
    start = q["page"] * q["page_size"]
    return start, start + q["page_size"]
