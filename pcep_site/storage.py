"""Static files: whitenoise's hashed, compressed storage, with a cheaper Brotli level for
large files.

Brotli's top level (11) costs about 30 s of CPU for the 9.6 MB Pyodide wasm, and every
`collectstatic` compresses every file again (the plain and the hashed copy). Level 6 takes
under 2 s for it and is within 12% of level 11's size; small files (the site's own CSS and
JS) keep level 11, where it costs nothing.
"""

from __future__ import annotations

import brotli
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

LARGE_FILE_BYTES = 1024 * 1024
LARGE_FILE_BROTLI_QUALITY = 6


def brotli_quality(size: int) -> int:
    return LARGE_FILE_BROTLI_QUALITY if size > LARGE_FILE_BYTES else 11


class _SizeAwareCompressor(Compressor):
    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return brotli.compress(data, quality=brotli_quality(len(data)))


class CompressedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        return _SizeAwareCompressor(**kwargs)
