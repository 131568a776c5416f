"""Static file compression: large files get a cheaper Brotli level, and stay correct."""

import os

import brotli

from pcep_site.storage import (
    LARGE_FILE_BROTLI_QUALITY,
    LARGE_FILE_BYTES,
    _SizeAwareCompressor,
    brotli_quality,
)


def test_large_files_use_the_cheaper_level_and_small_ones_the_best():
    assert brotli_quality(LARGE_FILE_BYTES + 1) == LARGE_FILE_BROTLI_QUALITY
    assert brotli_quality(50_000) == 11


def test_a_large_file_is_written_brotli_compressed_and_decompresses_to_itself(tmp_path):
    data = b"".join(b"def f%d(x):\n    return x * %d\n" % (n, n) for n in range(60_000))
    data += os.urandom(1024)  # not a trivially repetitive file
    assert len(data) > LARGE_FILE_BYTES
    path = tmp_path / "big.js"
    path.write_bytes(data)

    written = _SizeAwareCompressor(quiet=True).compress(str(path))

    assert sorted(os.path.basename(name) for name in written) == ["big.js.br", "big.js.gz"]
    compressed = (tmp_path / "big.js.br").read_bytes()
    assert brotli.decompress(compressed) == data
    assert len(compressed) < len(data) / 5
