"""The hash functions of Keras' Hashing and HashedCrossing layers (TensorFlow's string hashing ops).

- ``fingerprint64`` (FarmHash, in ``farmhash.py``): ``tf.strings.to_hash_bucket_fast``.
- ``siphash`` (SipHash-2-4, Aumasson and Bernstein 2012, with a 128-bit key given as two 64-bit
  words): ``tf.strings.to_hash_bucket_strong(key=salt)``.
- ``fingerprint_cat64``: TensorFlow's ``FingerprintCat64``, which ``tf.sparse.cross_hashed`` folds
  over the features of one crossed sample, starting from the key 0xDECAFCAFFE.

Numbers are hashed as TensorFlow's ``tf.as_string`` writes them (decimal integers; floats are first
truncated to integers). All arithmetic is modulo 2**64; words are little-endian.
"""

import struct

import numpy as np

from glassnet.layers.preprocessing.farmhash import fingerprint64

_MASK = (1 << 64) - 1
_CAT_MUL = 0xC6A4A7935BD1E995
CROSS_HASH_KEY = 0xDECAFCAFFE

__all__ = ["CROSS_HASH_KEY", "as_hash_strings", "fingerprint64", "fingerprint_cat64", "siphash"]


def _rotl(value, shift):
    return ((value << shift) | (value >> (64 - shift))) & _MASK


def _sip_round(v0, v1, v2, v3):
    v0 = (v0 + v1) & _MASK
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _MASK
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _MASK
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _MASK
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash(key, data):
    """SipHash-2-4 of ``data`` (bytes, or str as UTF-8) under the key (k0, k1): two compression rounds
    per 8-byte word, the last word padded and holding the length in its top byte, four final rounds."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    k0, k1 = (int(k) & _MASK for k in key)
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573
    whole = len(data) - len(data) % 8
    last = int.from_bytes(data[whole:], "little") | ((len(data) & 0xFF) << 56)
    words = list(struct.unpack_from(f"<{whole // 8}Q", data)) + [last]
    for word in words:
        v3 ^= word
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= word
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def _shift_mix(value):
    return value ^ (value >> 47)


def fingerprint_cat64(first, second):
    """Combine two 64-bit fingerprints into one (order matters), as TensorFlow's FingerprintCat64."""
    result = first ^ _CAT_MUL
    result ^= (_shift_mix((second * _CAT_MUL) & _MASK) * _CAT_MUL) & _MASK
    result = (result * _CAT_MUL) & _MASK
    result = (_shift_mix(result) * _CAT_MUL) & _MASK
    return _shift_mix(result)


def as_hash_strings(array):
    """The values of ``array`` as the strings TensorFlow hashes: str and bytes as they are, numbers in
    decimal (floats truncated towards zero first, as ``tf.cast(x, "int64")``)."""
    array = np.asarray(array)
    if array.dtype.kind == "f":
        array = np.trunc(array).astype(np.int64)
    if array.dtype.kind in "iub":
        return [str(int(v)) for v in array.reshape(-1).tolist()]
    return [v if isinstance(v, (str, bytes)) else str(v) for v in array.reshape(-1).tolist()]
