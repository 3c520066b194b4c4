"""ASCII slugs for ids, file names and fragment identifiers."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """`Communauté de pratique` -> `communaute-de-pratique` (may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
