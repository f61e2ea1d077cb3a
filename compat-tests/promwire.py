"""promwire: Prometheus wire formats for the compat tests, written from the
.proto definitions (../shared/research/protocols.md sections 1-2): a small
protobuf encoder, a literal-only snappy block encoder (legal block format,
just not compressed; Python's stdlib has no snappy) and remote_write 1.0/2.0
request builders. Python 3 stdlib only."""
import struct

STALE = 0x7FF0000000000002

def uvarint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def tag(field, wt):
    return uvarint(field << 3 | wt)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return tag(field, 2) + uvarint(len(b)) + b


def f_varint(field, v):
    return tag(field, 0) + uvarint(v)


def f_fixed64(field, bits):
    return tag(field, 1) + struct.pack("<Q", bits)


def fbits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def sample(value_bits, ts_ms, field=2):
    return f_bytes(field, f_fixed64(1, value_bits) + f_varint(2, ts_ms))


def series_v1(labels, samples):
    b = b"".join(f_bytes(1, f_bytes(1, n) + f_bytes(2, v)) for n, v in labels)
    b += b"".join(sample(bits, ts) for bits, ts in samples)
    return f_bytes(1, b)


def series_v2(syms, labels, samples, extra=b""):
    refs = []
    for n, v in labels:
        for s in (n, v):
            if s not in syms:
                syms.append(s)
            refs.append(syms.index(s))
    b = f_bytes(1, b"".join(uvarint(r) for r in refs))
    b += b"".join(sample(bits, ts) for bits, ts in samples)
    return f_bytes(5, b + extra)


def request_v2(series_fn):
    syms = [""]
    body = b"".join(series_fn(syms))
    return b"".join(f_bytes(4, s) for s in syms) + body


def snappy(data, declared=None):
    """Block format, literals only (legal, just not compressed)."""
    out = bytearray(uvarint(len(data) if declared is None else declared))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2, n & 0xFF, n >> 8])
        out += chunk
    return bytes(out)


