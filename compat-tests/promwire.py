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




# ------------------------------------------------------------- decoders
# For remote_read answers (protocols.md section 2): a protobuf field
# reader, a full snappy block decompressor, CRC-32C, the streamed frames
# and Prometheus's XOR chunk format, all written from the format notes.

def read_uvarint(b, i):
    """(value, next index); ValueError when truncated or longer than 10 bytes."""
    v = shift = 0
    while True:
        if i >= len(b) or shift > 63:
            raise ValueError("truncated or overlong varint")
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v & ((1 << 64) - 1), i


def pb_fields(b):
    """Yields (field, wire_type, value) of a message: ints for varint and
    fixed fields, bytes for length-delimited ones."""
    i = 0
    while i < len(b):
        key, i = read_uvarint(b, i)
        f, wt = key >> 3, key & 7
        if f == 0:
            raise ValueError("field number 0")
        if wt == 0:
            v, i = read_uvarint(b, i)
        elif wt == 1:
            if i + 8 > len(b):
                raise ValueError("truncated fixed64")
            v = struct.unpack_from("<Q", b, i)[0]
            i += 8
        elif wt == 5:
            if i + 4 > len(b):
                raise ValueError("truncated fixed32")
            v = struct.unpack_from("<I", b, i)[0]
            i += 4
        elif wt == 2:
            n, i = read_uvarint(b, i)
            if i + n > len(b):
                raise ValueError("length past the end")
            v = bytes(b[i:i + n])
            i += n
        else:
            raise ValueError(f"wire type {wt}")
        yield f, wt, v


def s64(u):
    """int64 from its two's complement uint64."""
    return u - (1 << 64) if u >= 1 << 63 else u


def unsnappy(data, count_copies=False):
    """Snappy block format (literals and all three copy forms). With
    count_copies, (bytes, number of copy elements): a sender that really
    compresses uses back-references."""
    copies = 0
    n, i = read_uvarint(data, 0)
    out = bytearray()
    while i < len(data):
        tag = data[i]
        i += 1
        kind = tag & 3
        if kind == 0:
            ln = tag >> 2
            if ln >= 60:
                nb = ln - 59
                ln = int.from_bytes(data[i:i + nb], "little")
                i += nb
            ln += 1
            if i + ln > len(data):
                raise ValueError("snappy: literal past the end")
            out += data[i:i + ln]
            i += ln
            continue
        if kind == 1:
            ln = ((tag >> 2) & 7) + 4
            off = ((tag >> 5) << 8) | data[i]
            i += 1
        elif kind == 2:
            ln = (tag >> 2) + 1
            off = int.from_bytes(data[i:i + 2], "little")
            i += 2
        else:
            ln = (tag >> 2) + 1
            off = int.from_bytes(data[i:i + 4], "little")
            i += 4
        if off == 0 or off > len(out):
            raise ValueError("snappy: bad copy offset")
        copies += 1
        if off >= ln:
            start = len(out) - off
            out += out[start:start + ln]
        else:
            for _ in range(ln):
                out.append(out[-off])
    if len(out) != n:
        raise ValueError(f"snappy: {len(out)} bytes decoded, {n} declared")
    return (bytes(out), copies) if count_copies else bytes(out)


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC32C = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    t = _CRC32C
    for x in data:
        c = t[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def read_frames(body):
    """Streamed remote_read frames: [(crc_ok, data)]; ValueError if truncated."""
    out, i = [], 0
    while i < len(body):
        n, i = read_uvarint(body, i)
        if i + 4 + n > len(body):
            raise ValueError("truncated frame")
        crc = struct.unpack_from(">I", body, i)[0]
        data = body[i + 4:i + 4 + n]
        out.append((crc32c(data) == crc, data))
        i += 4 + n
    return out


def decode_labels(msg, field=1):
    labels = []
    for f, _, v in pb_fields(msg):
        if f == field:
            name = value = b""
            for g, _, w in pb_fields(v):
                if g == 1:
                    name = w
                elif g == 2:
                    value = w
            labels.append((name.decode(), value.decode()))
    return labels


def decode_read_response(raw):
    """ReadResponse -> [[(labels, [(ts_ms, value_bits)])] per query]."""
    results = []
    for f, _, qr in pb_fields(raw):
        if f != 1:
            continue
        series = []
        for g, _, ts in pb_fields(qr):
            if g != 1:
                continue
            samples = []
            for h, _, s in pb_fields(ts):
                if h == 2:
                    bits = t = 0
                    for k, _, w in pb_fields(s):
                        if k == 1:
                            bits = w
                        elif k == 2:
                            t = s64(w)
                    samples.append((t, bits))
            series.append((decode_labels(ts), samples))
        results.append(series)
    return results


def decode_chunked(data):
    """ChunkedReadResponse -> (query_index, [(labels, [(min_ms, max_ms, type, bytes)])])."""
    qi, series = 0, []
    for f, _, v in pb_fields(data):
        if f == 2:
            qi = s64(v)
        elif f == 1:
            chunks = []
            for g, _, c in pb_fields(v):
                if g == 2:
                    mn = mx = typ = 0
                    d = b""
                    for k, _, w in pb_fields(c):
                        if k == 1:
                            mn = s64(w)
                        elif k == 2:
                            mx = s64(w)
                        elif k == 3:
                            typ = w
                        elif k == 4:
                            d = w
                    chunks.append((mn, mx, typ, d))
            series.append((decode_labels(v), chunks))
    return qi, series


class _Bits:
    def __init__(self, b, i):
        self.v = int.from_bytes(b[i:], "big")
        self.left = (len(b) - i) * 8

    def get(self, n):
        if n > self.left:
            raise ValueError("xor chunk: truncated")
        self.left -= n
        return (self.v >> self.left) & ((1 << n) - 1)


def xor_decode(chunk):
    """Prometheus XOR chunk -> [(ts_ms, value_bits)]."""
    if len(chunk) < 2:
        raise ValueError("xor chunk: no header")
    total = chunk[0] << 8 | chunk[1]
    if total == 0:
        return []
    z, i = read_uvarint(chunk, 2)
    t = (z >> 1) ^ -(z & 1)
    if i + 8 > len(chunk):
        raise ValueError("xor chunk: truncated first value")
    v = int.from_bytes(chunk[i:i + 8], "big")
    out = [(t, v)]
    if total == 1:
        return out
    delta, i = read_uvarint(chunk, i + 8)
    t = s64((t + delta) & ((1 << 64) - 1))
    r = _Bits(chunk, i)
    lead = trail = 0
    M = (1 << 64) - 1
    for k in range(1, total):
        if k >= 2:
            pre = 0
            for _ in range(4):
                bit = r.get(1)
                pre = pre << 1 | bit
                if not bit:
                    break
            dod = 0
            sz = {2: 14, 6: 17, 14: 20}.get(pre, 0)
            if pre == 15:
                dod = s64(r.get(64))
            elif sz:
                dod = r.get(sz)
                if dod > 1 << (sz - 1):
                    dod -= 1 << sz
            delta = (delta + dod) & M
            t = s64((t + delta) & M)
        if r.get(1):
            if r.get(1):
                lead = r.get(5)
                mbits = r.get(6) or 64
                if lead + mbits > 64:
                    raise ValueError("xor chunk: window past 64 bits")
                trail = 64 - lead - mbits
            else:
                mbits = 64 - lead - trail
            v ^= r.get(mbits) << trail
        out.append((t, v))
    return out
