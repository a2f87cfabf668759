"""API tokens: made at random, shown once, stored only as a keyed hash.

Tokens are 256 random bits (secrets.token_urlsafe), so nobody can guess one and a fast hash is
enough: there is no dictionary to try. The hash is keyed (HMAC-SHA-256 with the server key), so
a stolen copy of the database cannot even be checked against candidate tokens without the key,
which lives outside the database (SECURITY.md explains why this is right for random tokens and
wrong for passwords, which need a slow hash).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from sandan.settings import Settings

TOKEN_PREFIX = "sdn_"  # lets secret scanners and people recognise a sandan token
KEY_BYTES = 32


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def server_key(settings: Settings) -> bytes:
    """SANDAN_TOKEN_KEY if set, else the key file (made with a fresh random key, readable by
    its owner only, the first time it is needed)."""
    if settings.token_key:
        return settings.token_key.encode()
    return _key_file(settings.token_key_file)


@functools.cache
def _key_file(path_text: str) -> bytes:
    path = Path(path_text)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"the token key in {path} is shorter than 32 characters")
    return key.encode()
