"""FarmHash's ``Fingerprint64``: the string hash that puts out-of-vocabulary strings into OOV buckets.

Keras' ``StringLookup(num_oov_indices=n)`` with ``n > 1`` sends an unknown
string ``s`` to bucket ``Fingerprint64(utf8(s)) mod n`` (TensorFlow's
``tf.strings.to_hash_bucket_fast``). To give the same indices as Keras, this
module computes the same 64-bit fingerprint (Google's FarmHash, the
``farmhashna`` variant that ``Fingerprint64`` fixes for all platforms) in
pure Python. All arithmetic is modulo 2**64; words are read little-endian.
"""

import struct

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _fetch64(data, i):
    return struct.unpack_from("<Q", data, i)[0]


def _fetch32(data, i):
    return struct.unpack_from("<I", data, i)[0]


def _rotate(value, shift):
    """Rotate a 64-bit word right by ``shift`` bits."""
    return ((value >> shift) | (value << (64 - shift))) & _MASK if shift else value


def _shift_mix(value):
    return value ^ (value >> 47)


def _hash_len_16(u, v, mul):
    """Murmur-style mix of two words: a = ((u ^ v) mul) ^ >>47, b = ((v ^ a) mul) ^ >>47, return b mul."""
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _hash_len_0_to_16(s, n):
    if n >= 8:
        mul = _K2 + n * 2
        a = (_fetch64(s, 0) + _K2) & _MASK
        b = _fetch64(s, n - 8)
        c = (_rotate(b, 37) * mul + a) & _MASK
        d = ((_rotate(a, 25) + b) * mul) & _MASK
        return _hash_len_16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _hash_len_16(n + (_fetch32(s, 0) << 3), _fetch32(s, n - 4), mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix((y * _K2 ^ z * _K0) & _MASK) * _K2) & _MASK
    return _K2


def _hash_len_17_to_32(s, n):
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K1) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    return _hash_len_16((_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK,
                        (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK, mul)


def _hash_len_33_to_64(s, n):
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K2) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    y = (_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK
    z = _hash_len_16(y, (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_fetch64(s, 16) * mul) & _MASK
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _MASK
    h = ((z + _fetch64(s, n - 24)) * mul) & _MASK
    return _hash_len_16((_rotate((e + f) & _MASK, 43) + _rotate(g, 30) + h) & _MASK,
                        (e + _rotate((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak_hash_len_32_with_seeds(s, i, a, b):
    """Mix the four words at ``s[i:i+32]`` into the seeds (a, b); returns a pair of words."""
    w, x, y, z = struct.unpack_from("<4Q", s, i)
    a = (a + w) & _MASK
    b = _rotate((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rotate(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def _hash_long(s, n):
    """Strings over 64 bytes: a 56-byte state mixed over each 64-byte block, then over the last 64 bytes."""
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v = w = (0, 0)
    x = (x * _K2 + _fetch64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    for i in range(0, end, 64):
        x = (_rotate((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rotate((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w[1]
        y = (y + v[0] + _fetch64(s, i + 40)) & _MASK
        z = (_rotate((z + w[0]) & _MASK, 33) * _K1) & _MASK
        v = _weak_hash_len_32_with_seeds(s, i, (v[1] * _K1) & _MASK, (x + w[0]) & _MASK)
        w = _weak_hash_len_32_with_seeds(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
        z, x = x, z
    mul = _K1 + ((z & 0xFF) << 1)
    i = last64
    w0 = (w[0] + ((n - 1) & 63)) & _MASK
    v0 = (v[0] + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    v, w = (v0, v[1]), (w0, w[1])
    x = (_rotate((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rotate((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK
    y = (y + v[0] * 9 + _fetch64(s, i + 40)) & _MASK
    z = (_rotate((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak_hash_len_32_with_seeds(s, i, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak_hash_len_32_with_seeds(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
    z, x = x, z
    return _hash_len_16((_hash_len_16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
                        (_hash_len_16(v[1], w[1], mul) + x) & _MASK, mul)


def fingerprint64(data):
    """FarmHash ``Fingerprint64`` of ``data`` (bytes, or a str encoded as UTF-8), an integer in [0, 2**64)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    n = len(data)
    if n <= 16:
        return _hash_len_0_to_16(data, n)
    if n <= 32:
        return _hash_len_17_to_32(data, n)
    if n <= 64:
        return _hash_len_33_to_64(data, n)
    return _hash_long(data, n)


def hash_bucket(data, num_buckets):
    """The bucket ``Fingerprint64(data) mod num_buckets`` (TensorFlow's ``to_hash_bucket_fast``)."""
    return fingerprint64(data) % num_buckets
