/* prr: remote_read wire formats. Formats and guarantees: prr.h.
 *
 * Decoders walk the protobuf wire format in place with a cursor per
 * message. Each repeated field is walked twice, once to count and once to
 * fill, so that the arrays handed out are allocated once at their final
 * size from the caller's arena, whatever the input claims.
 *
 * Encoders size every nested message before writing it (protobuf puts a
 * message's length before its bytes), so a message is written once,
 * straight into the output buffer.
 */
#include "prr.h"

#include <inttypes.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bits.h"

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };

static const char *const wt_names[8] = {"varint", "fixed64", "length-delimited", "start-group",
                                        "end-group", "fixed32", "invalid(6)", "invalid(7)"};

/* Two's complement reinterpretation without implementation-defined
 * conversions: protobuf int64 and the XOR chunk arithmetic are modulo 2^64. */
static int64_t u2s(uint64_t u)
{
    int64_t s;
    memcpy(&s, &u, 8);
    return s;
}

/* ------------------------------------------------------------ reading */

typedef struct pfield {
    uint32_t num;
    unsigned wt;
    uint64_t v;  /* varint, fixed64 or fixed32 */
    st_slice s;  /* length-delimited */
} pfield;

/* Where a decoder is, for messages: "queries[2].matchers[0]". */
typedef struct where {
    char s[128];
} where;

static int bad(st_err *e, const char *what, const where *w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad(st_err *e, const char *what, const where *w, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return st_fail(e, ST_EINVAL, "invalid %s: %s%s%s", what, w && w->s[0] ? w->s : "", w && w->s[0] ? ": " : "",
                   msg);
}

/* Next field of [*p, end): 1 with f filled, 0 at the end, ST_EINVAL. */
static int pb_next(const uint8_t **p, const uint8_t *end, pfield *f, const char *what, const where *w,
                   st_err *e)
{
    if (*p >= end) return 0;
    uint64_t tag;
    if (varint_get(p, end, &tag)) return bad(e, what, w, "truncated or overlong field tag");
    f->num = (uint32_t)(tag >> 3);
    f->wt = (unsigned)(tag & 7);
    if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff) return bad(e, what, w, "invalid field number %" PRIu64, tag >> 3);
    switch (f->wt) {
    case WT_VARINT:
        if (varint_get(p, end, &f->v)) return bad(e, what, w, "field %u: truncated or overlong varint", f->num);
        return 1;
    case WT_I64:
        if (end - *p < 8) return bad(e, what, w, "field %u: truncated fixed64", f->num);
        f->v = get_u64le(*p);
        *p += 8;
        return 1;
    case WT_I32:
        if (end - *p < 4) return bad(e, what, w, "field %u: truncated fixed32", f->num);
        f->v = get_u32le(*p);
        *p += 4;
        return 1;
    case WT_LEN: {
        uint64_t n;
        if (varint_get(p, end, &n)) return bad(e, what, w, "field %u: truncated length", f->num);
        if (n > (uint64_t)(end - *p))
            return bad(e, what, w, "field %u: length %" PRIu64 " runs past the end of its message (%zu bytes left)",
                       f->num, n, (size_t)(end - *p));
        f->s = st_slice_of((const char *)*p, (size_t)n);
        *p += n;
        return 1;
    }
    default:
        return bad(e, what, w, "field %u: wire type %s is not supported", f->num, wt_names[f->wt]);
    }
}

static int want_wt(const pfield *f, unsigned wt, const char *name, const char *what, const where *w, st_err *e)
{
    if (f->wt == wt) return 0;
    return bad(e, what, w, "field %s (%u): wire type %s, want %s", name, f->num, wt_names[f->wt], wt_names[wt]);
}

/* Counts the occurrences of field num in a message (checking the framing). */
static int pb_count(st_slice msg, uint32_t num, size_t *count, const char *what, const where *w, st_err *e)
{
    const uint8_t *p = (const uint8_t *)msg.p, *end = p + msg.n;
    pfield f;
    int rc;
    *count = 0;
    while ((rc = pb_next(&p, end, &f, what, w, e)) == 1)
        if (f.num == num) (*count)++;
    return rc;
}

static void wfmt(where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wfmt(where *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->s, sizeof w->s, fmt, ap);
    va_end(ap);
}

/* ----------------------------------------------------------- ReadRequest */

static const char REQ[] = "remote_read request";

static int decode_matcher(st_slice msg, prr_matcher *m, const where *w, st_err *e)
{
    const uint8_t *p = (const uint8_t *)msg.p, *end = p + msg.n;
    pfield f;
    int rc;
    memset(m, 0, sizeof *m);
    m->name = m->value = st_slice_of("", 0);
    while ((rc = pb_next(&p, end, &f, REQ, w, e)) == 1) {
        switch (f.num) {
        case 1:
            if (want_wt(&f, WT_VARINT, "type", REQ, w, e)) return ST_EINVAL;
            m->type = u2s(f.v);
            break;
        case 2:
            if (want_wt(&f, WT_LEN, "name", REQ, w, e)) return ST_EINVAL;
            m->name = f.s;
            break;
        case 3:
            if (want_wt(&f, WT_LEN, "value", REQ, w, e)) return ST_EINVAL;
            m->value = f.s;
            break;
        default: break;
        }
    }
    return rc;
}

/* ReadHints are ignored, but a malformed one is an error as it is for
 * Prometheus, which decodes them. */
static int check_hints(st_slice msg, const where *w, st_err *e)
{
    static const unsigned wts[8] = {0, WT_VARINT, WT_LEN, WT_VARINT, WT_VARINT, WT_LEN, WT_VARINT, WT_VARINT};
    static const char *const names[8] = {"", "step_ms", "func", "start_ms", "end_ms", "grouping", "by", "range_ms"};
    const uint8_t *p = (const uint8_t *)msg.p, *end = p + msg.n;
    pfield f;
    int rc;
    while ((rc = pb_next(&p, end, &f, REQ, w, e)) == 1)
        if (f.num < 8 && want_wt(&f, wts[f.num], names[f.num], REQ, w, e)) return ST_EINVAL;
    return rc;
}

static int decode_query(st_slice msg, size_t qi, st_arena *a, prr_query *q, st_err *e)
{
    where w;
    wfmt(&w, "queries[%zu]", qi);
    memset(q, 0, sizeof *q);
    size_t nm;
    int rc = pb_count(msg, 3, &nm, REQ, &w, e);
    if (rc) return rc;
    if (nm > PRR_MAX_MATCHERS)
        return bad(e, REQ, &w, "%zu matchers, more than the %d a query may have", nm, PRR_MAX_MATCHERS);
    q->matchers = st_arena_alloc(a, (nm ? nm : 1) * sizeof *q->matchers);
    const uint8_t *p = (const uint8_t *)msg.p, *end = p + msg.n;
    pfield f;
    while ((rc = pb_next(&p, end, &f, REQ, &w, e)) == 1) {
        switch (f.num) {
        case 1:
            if (want_wt(&f, WT_VARINT, "start_timestamp_ms", REQ, &w, e)) return ST_EINVAL;
            q->start_ms = u2s(f.v);
            break;
        case 2:
            if (want_wt(&f, WT_VARINT, "end_timestamp_ms", REQ, &w, e)) return ST_EINVAL;
            q->end_ms = u2s(f.v);
            break;
        case 3: {
            if (want_wt(&f, WT_LEN, "matchers", REQ, &w, e)) return ST_EINVAL;
            where mw;
            wfmt(&mw, "queries[%zu].matchers[%zu]", qi, q->nmatchers);
            rc = decode_matcher(f.s, &q->matchers[q->nmatchers], &mw, e);
            if (rc) return rc;
            q->nmatchers++;
            break;
        }
        case 4: {
            if (want_wt(&f, WT_LEN, "hints", REQ, &w, e)) return ST_EINVAL;
            where hw;
            wfmt(&hw, "queries[%zu].hints", qi);
            rc = check_hints(f.s, &hw, e);
            if (rc) return rc;
            q->has_hints = true;
            break;
        }
        default: break;
        }
    }
    return rc;
}

int prr_decode_request(const uint8_t *buf, size_t n, st_arena *a, prr_request *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    if (!n) buf = (const uint8_t *)""; /* an empty st_buf has no pointer: no arithmetic on NULL */
    const uint8_t *p = buf, *end = buf + n;
    pfield f;
    int rc;
    size_t nq = 0, nt = 0;
    /* first pass: sizes (and the framing of the top level) */
    while ((rc = pb_next(&p, end, &f, REQ, NULL, e)) == 1) {
        if (f.num == 1) {
            if (want_wt(&f, WT_LEN, "queries", REQ, NULL, e)) return ST_EINVAL;
            nq++;
        } else if (f.num == 2) {
            if (f.wt == WT_VARINT) {
                nt++;
            } else if (f.wt == WT_LEN) {
                const uint8_t *q = (const uint8_t *)f.s.p, *qe = q + f.s.n;
                uint64_t v;
                while (q < qe) {
                    if (varint_get(&q, qe, &v))
                        return bad(e, REQ, NULL, "accepted_response_types: truncated or overlong packed varint");
                    nt++;
                }
            } else {
                return want_wt(&f, WT_VARINT, "accepted_response_types", REQ, NULL, e);
            }
        }
    }
    if (rc) return rc;
    /* before allocating: a few bytes per empty entry on the wire cost far
     * more once decoded */
    if (nq > PRR_MAX_QUERIES) return bad(e, REQ, NULL, "%zu queries, more than the %d a request may have", nq, PRR_MAX_QUERIES);
    if (nt > 64) return bad(e, REQ, NULL, "%zu accepted_response_types, more than 64", nt);
    out->queries = st_arena_alloc(a, (nq ? nq : 1) * sizeof *out->queries);
    out->accepted = st_arena_alloc(a, (nt ? nt : 1) * sizeof *out->accepted);
    p = buf;
    while ((rc = pb_next(&p, end, &f, REQ, NULL, e)) == 1) {
        if (f.num == 1) {
            rc = decode_query(f.s, out->nqueries, a, &out->queries[out->nqueries], e);
            if (rc) return rc;
            out->nqueries++;
        } else if (f.num == 2) {
            if (f.wt == WT_VARINT) {
                out->accepted[out->naccepted++] = u2s(f.v);
            } else {
                const uint8_t *q = (const uint8_t *)f.s.p, *qe = q + f.s.n;
                uint64_t v;
                while (q < qe && varint_get(&q, qe, &v) == 0) out->accepted[out->naccepted++] = u2s(v);
            }
        }
    }
    return rc;
}

int prr_negotiate(const prr_request *r, int *type, st_err *e)
{
    if (r->naccepted == 0) {
        *type = PRR_SAMPLES; /* what clients older than the field mean */
        return 0;
    }
    for (size_t i = 0; i < r->naccepted; i++) {
        if (r->accepted[i] == PRR_SAMPLES || r->accepted[i] == PRR_STREAMED_XOR_CHUNKS) {
            *type = (int)r->accepted[i];
            return 0;
        }
    }
    char list[200];
    size_t l = 0;
    for (size_t i = 0; i < r->naccepted && i < 16 && l < sizeof list; i++)
        l += (size_t)snprintf(list + l, sizeof list - l, "%s%" PRId64, i ? " " : "", r->accepted[i]);
    return st_fail(e, ST_EINVAL,
                   "server does not support any of the requested response types: [%s%s]; supported: "
                   "SAMPLES (0), STREAMED_XOR_CHUNKS (1)",
                   list, r->naccepted > 16 ? " ..." : "");
}

/* ------------------------------------------------------------ writing */

static size_t sov(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static void put_varint(st_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    st_buf_put(b, tmp, varint_put(tmp, v));
}

static void put_tag(st_buf *b, uint32_t num, unsigned wt) { put_varint(b, (uint64_t)num << 3 | wt); }

static void put_len(st_buf *b, uint32_t num, const void *p, size_t n)
{
    put_tag(b, num, WT_LEN);
    put_varint(b, n);
    st_buf_put(b, p, n);
}

/* Size of a length-delimited field whose content is n bytes (tag < 16). */
static size_t len_field(size_t n) { return 1 + sov(n) + n; }

/* Label { name = 1; value = 2; }, empty strings left out as proto3 does */
static size_t label_size(const label *l)
{
    return (l->name.n ? len_field(l->name.n) : 0) + (l->value.n ? len_field(l->value.n) : 0);
}

static void put_label(st_buf *b, uint32_t num, const label *l)
{
    put_tag(b, num, WT_LEN);
    put_varint(b, label_size(l));
    if (l->name.n) put_len(b, 1, l->name.p, l->name.n);
    if (l->value.n) put_len(b, 2, l->value.p, l->value.n);
}

static size_t labels_fields_size(const label *ls, size_t nl)
{
    size_t n = 0;
    for (size_t i = 0; i < nl; i++) n += len_field(label_size(&ls[i]));
    return n;
}

static size_t sample_size(int64_t ts, uint64_t bits)
{
    return (bits ? 9 : 0) + (ts ? 1 + sov((uint64_t)ts) : 0);
}

void prr_put_timeseries(st_buf *out, const label *ls, size_t nl, const int64_t *ts_ms, const uint64_t *vals,
                        size_t n)
{
    size_t body = labels_fields_size(ls, nl);
    for (size_t i = 0; i < n; i++) body += len_field(sample_size(ts_ms[i], vals[i]));
    st_buf_reserve(out, len_field(body));
    put_tag(out, 1, WT_LEN);
    put_varint(out, body);
    for (size_t i = 0; i < nl; i++) put_label(out, 1, &ls[i]);
    for (size_t i = 0; i < n; i++) {
        uint8_t s[24];
        size_t k = 0;
        s[k++] = 2 << 3 | WT_LEN;
        s[k++] = (uint8_t)sample_size(ts_ms[i], vals[i]); /* at most 20: one byte */
        if (vals[i]) {
            s[k++] = 1 << 3 | WT_I64;
            put_u64le(s + k, vals[i]);
            k += 8;
        }
        if (ts_ms[i]) {
            s[k++] = 2 << 3 | WT_VARINT;
            k += varint_put(s + k, (uint64_t)ts_ms[i]);
        }
        st_buf_put(out, s, k);
    }
}

void prr_put_result_header(st_buf *out, size_t body_len)
{
    put_tag(out, 1, WT_LEN);
    put_varint(out, body_len);
}

int prr_snappy_compress(const uint8_t *in, size_t n, st_buf *out, st_err *e)
{
    size_t cap = snappy_max_compressed_length(n);
    st_buf_reserve(out, cap);
    size_t got = cap;
    if (snappy_compress((const char *)in, n, (char *)out->p + out->len, &got) != SNAPPY_OK)
        return st_fail(e, ST_EIO, "snappy compression of %zu bytes failed", n);
    out->len += got;
    return 0;
}

void prr_encode_request(const prr_request *r, bool packed, st_buf *out)
{
    for (size_t i = 0; i < r->nqueries; i++) {
        const prr_query *q = &r->queries[i];
        st_buf qb = {0};
        if (q->start_ms) {
            put_tag(&qb, 1, WT_VARINT);
            put_varint(&qb, (uint64_t)q->start_ms);
        }
        if (q->end_ms) {
            put_tag(&qb, 2, WT_VARINT);
            put_varint(&qb, (uint64_t)q->end_ms);
        }
        for (size_t j = 0; j < q->nmatchers; j++) {
            const prr_matcher *m = &q->matchers[j];
            st_buf mb = {0};
            if (m->type) {
                put_tag(&mb, 1, WT_VARINT);
                put_varint(&mb, (uint64_t)m->type);
            }
            if (m->name.n) put_len(&mb, 2, m->name.p, m->name.n);
            if (m->value.n) put_len(&mb, 3, m->value.p, m->value.n);
            put_len(&qb, 3, mb.p, mb.len);
            st_buf_free(&mb);
        }
        if (q->has_hints) put_len(&qb, 4, "", 0);
        put_len(out, 1, qb.p, qb.len);
        st_buf_free(&qb);
    }
    if (packed && r->naccepted) {
        st_buf tb = {0};
        for (size_t i = 0; i < r->naccepted; i++) put_varint(&tb, (uint64_t)r->accepted[i]);
        put_len(out, 2, tb.p, tb.len);
        st_buf_free(&tb);
    } else {
        for (size_t i = 0; i < r->naccepted; i++) {
            put_tag(out, 2, WT_VARINT);
            put_varint(out, (uint64_t)r->accepted[i]);
        }
    }
}

/* ----------------------------------------------------------- XOR chunks */

/* Can dod be written in an nbits bucket? Prometheus's buckets are
 * asymmetric: -(2^(n-1) - 1) .. 2^(n-1), because the reader maps the bit
 * pattern 2^(n-1) to the positive value. */
static bool dod_fits(int64_t dod, unsigned nbits)
{
    int64_t half = (int64_t)1 << (nbits - 1);
    return dod >= -(half - 1) && dod <= half;
}

static void xor_put(bitw *w, uint64_t v, uint64_t prev, uint8_t *lead, uint8_t *trail)
{
    uint64_t d = v ^ prev;
    if (!d) {
        bitw_put(w, 0, 1);
        return;
    }
    unsigned lz = (unsigned)__builtin_clzll(d), tz = (unsigned)__builtin_ctzll(d);
    if (lz >= 32) lz = 31; /* 5 bits in the stream */
    if (*lead != 0xff && lz >= *lead && tz >= *trail) {
        /* the bits fit the previous window: no new header */
        bitw_put(w, 2, 2);
        bitw_put(w, d >> *trail, 64 - *lead - *trail);
        return;
    }
    *lead = (uint8_t)lz;
    *trail = (uint8_t)tz;
    unsigned sig = 64 - lz - tz;
    bitw_put(w, 3, 2);
    bitw_put(w, lz, 5);
    bitw_put(w, sig & 63, 6); /* 64 does not fit: written as 0 */
    bitw_put(w, d >> tz, sig);
}

int prr_xor_encode(const int64_t *ts, const uint64_t *vals, size_t n, st_buf *out, st_err *e)
{
    if (n == 0 || n > PRR_XOR_MAX_SAMPLES)
        return st_fail(e, ST_EINVAL, "xor chunk: %zu samples (1 to %d fit)", n, PRR_XOR_MAX_SAMPLES);
    st_buf_putc(out, (uint8_t)(n >> 8));
    st_buf_putc(out, (uint8_t)n);
    put_varint(out, zigzag_enc(ts[0]));
    bitw w;
    bitw_init(&w, out);
    bitw_put(&w, vals[0], 64);
    if (n == 1) return 0;
    uint64_t delta = (uint64_t)ts[1] - (uint64_t)ts[0];
    put_varint(out, delta); /* byte aligned here: nothing pending in w */
    uint8_t lead = 0xff, trail = 0;
    xor_put(&w, vals[1], vals[0], &lead, &trail);
    for (size_t i = 2; i < n; i++) {
        uint64_t d = (uint64_t)ts[i] - (uint64_t)ts[i - 1];
        int64_t dod = u2s(d - delta);
        delta = d;
        if (dod == 0) {
            bitw_put(&w, 0, 1);
        } else if (dod_fits(dod, 14)) {
            bitw_put(&w, 2, 2);
            bitw_put(&w, (uint64_t)dod, 14);
        } else if (dod_fits(dod, 17)) {
            bitw_put(&w, 6, 3);
            bitw_put(&w, (uint64_t)dod, 17);
        } else if (dod_fits(dod, 20)) {
            bitw_put(&w, 14, 4);
            bitw_put(&w, (uint64_t)dod, 20);
        } else {
            bitw_put(&w, 15, 4);
            bitw_put(&w, (uint64_t)dod, 64);
        }
        xor_put(&w, vals[i], vals[i - 1], &lead, &trail);
    }
    bitw_flush(&w);
    return 0;
}

int prr_xor_count(const uint8_t *p, size_t len, size_t *n, st_err *e)
{
    if (len < 2) return st_fail(e, ST_EINVAL, "xor chunk: %zu bytes, shorter than its header", len);
    *n = (size_t)p[0] << 8 | p[1];
    return 0;
}

static int xor_get(bitr *r, uint64_t *v, uint8_t *lead, uint8_t *trail)
{
    if (!bitr_get(r, 1)) return 0;
    unsigned mbits;
    if (!bitr_get(r, 1)) {
        mbits = 64u - *lead - *trail;
    } else {
        unsigned lz = (unsigned)bitr_get(r, 5);
        mbits = (unsigned)bitr_get(r, 6);
        if (!mbits) mbits = 64;
        if (lz + mbits > 64) return -1;
        *lead = (uint8_t)lz;
        *trail = (uint8_t)(64 - lz - mbits);
    }
    *v ^= bitr_get(r, mbits) << *trail;
    return 0;
}

int prr_xor_decode(const uint8_t *p, size_t len, int64_t *ts, uint64_t *vals, size_t cap, size_t *n,
                   st_err *e)
{
    size_t total = 0;
    *n = 0;
    int rc = prr_xor_count(p, len, &total, e);
    if (rc) return rc;
    if (total > cap) return st_fail(e, ST_EINVAL, "xor chunk: %zu samples, room for %zu", total, cap);
    if (total == 0) return 0;
    const uint8_t *q = p + 2, *end = p + len;
    int64_t t;
    if (varint_get_signed(&q, end, &t)) return st_fail(e, ST_EINVAL, "xor chunk: truncated first timestamp");
    if (end - q < 8) return st_fail(e, ST_EINVAL, "xor chunk: truncated first value");
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | q[i];
    q += 8;
    ts[0] = t;
    vals[0] = v;
    if (total == 1) {
        *n = 1;
        return 0;
    }
    uint64_t delta;
    if (varint_get(&q, end, &delta)) return st_fail(e, ST_EINVAL, "xor chunk: truncated second timestamp");
    uint64_t ut = (uint64_t)t + delta;
    bitr r;
    bitr_init(&r, q, (size_t)(end - q));
    /* a window reused before any was set spans all 64 bits, as in Prometheus */
    uint8_t lead = 0, trail = 0;
    for (size_t i = 1; i < total; i++) {
        if (i >= 2) {
            unsigned pre = 0;
            for (int k = 0; k < 4; k++) {
                unsigned bit = (unsigned)bitr_get(&r, 1);
                pre = pre << 1 | bit;
                if (!bit) break;
            }
            uint64_t dod = 0;
            unsigned sz = pre == 2 ? 14 : pre == 6 ? 17 : pre == 14 ? 20 : 0;
            if (pre == 15) {
                dod = bitr_get(&r, 64);
            } else if (sz) {
                dod = bitr_get(&r, sz);
                if (dod > (uint64_t)1 << (sz - 1)) dod -= (uint64_t)1 << sz; /* wraps: negative */
            }
            delta += dod;
            ut += delta;
        }
        if (xor_get(&r, &v, &lead, &trail))
            return st_fail(e, ST_EINVAL, "xor chunk: sample %zu: value window past 64 bits", i);
        if (r.overrun) return st_fail(e, ST_EINVAL, "xor chunk: truncated at sample %zu of %zu", i, total);
        ts[i] = u2s(ut);
        vals[i] = v;
    }
    *n = total;
    return 0;
}

/* -------------------------------------------------------------- frames */

void prr_frame_put(st_buf *out, const uint8_t *data, size_t n)
{
    uint8_t crc[4];
    uint32_t c = crc32c(0, data, n);
    crc[0] = (uint8_t)(c >> 24);
    crc[1] = (uint8_t)(c >> 16);
    crc[2] = (uint8_t)(c >> 8);
    crc[3] = (uint8_t)c;
    st_buf_reserve(out, n + 14);
    put_varint(out, n);
    st_buf_put(out, crc, 4);
    st_buf_put(out, data, n);
}

int prr_frame_next(const uint8_t **p, const uint8_t *end, uint64_t max, st_slice *data, st_err *e)
{
    if (*p >= end) return 0;
    const uint8_t *q = *p;
    uint64_t n;
    if (varint_get(&q, end, &n)) return st_fail(e, ST_EINVAL, "frame: truncated or overlong size");
    if (n > max) return st_fail(e, ST_EINVAL, "frame: %" PRIu64 " bytes, over the limit of %" PRIu64, n, max);
    if ((uint64_t)(end - q) < 4 || (uint64_t)(end - q) - 4 < n)
        return st_fail(e, ST_EINVAL, "frame: truncated (%" PRIu64 " bytes declared, %zu left)", n,
                       (size_t)(end - q) > 4 ? (size_t)(end - q) - 4 : 0);
    uint32_t want = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
    q += 4;
    uint32_t got = crc32c(0, q, (size_t)n);
    if (got != want) return st_fail(e, ST_EINVAL, "frame: checksum mismatch (%08x, want %08x)", got, want);
    *data = st_slice_of((const char *)q, (size_t)n);
    *p = q + n;
    return 1;
}

static size_t chunk_size(int64_t mint, int64_t maxt, size_t datalen)
{
    return (mint ? 1 + sov((uint64_t)mint) : 0) + (maxt ? 1 + sov((uint64_t)maxt) : 0) + 2 /* type XOR */ +
           (datalen ? len_field(datalen) : 0);
}

/* Writes one frame: ChunkedReadResponse { ChunkedSeries { labels, chunks },
 * query_index }, chunks being ready-made Chunk fields. */
static void put_frame(st_buf *out, int64_t qi, const label *ls, size_t nl, size_t lsize, const st_buf *chunks)
{
    size_t cs = lsize + chunks->len;
    size_t data = len_field(cs) + (qi ? 1 + sov((uint64_t)qi) : 0);
    st_buf_reserve(out, data + 14);
    put_varint(out, data);
    size_t crc_at = out->len;
    st_buf_put(out, "\0\0\0\0", 4);
    size_t start = out->len;
    put_tag(out, 1, WT_LEN);
    put_varint(out, cs);
    for (size_t i = 0; i < nl; i++) put_label(out, 1, &ls[i]);
    st_buf_put(out, chunks->p, chunks->len);
    if (qi) {
        put_tag(out, 2, WT_VARINT);
        put_varint(out, (uint64_t)qi);
    }
    uint32_t c = crc32c(0, out->p + start, out->len - start);
    out->p[crc_at] = (uint8_t)(c >> 24);
    out->p[crc_at + 1] = (uint8_t)(c >> 16);
    out->p[crc_at + 2] = (uint8_t)(c >> 8);
    out->p[crc_at + 3] = (uint8_t)c;
}

int prr_put_chunked_series(st_buf *out, int64_t query_index, const label *ls, size_t nl, const int64_t *ts_ms,
                           const uint64_t *vals, size_t n, uint64_t max_frame_bytes, prr_chunked_stats *st,
                           st_err *e)
{
    if (n == 0) return st_fail(e, ST_EINVAL, "chunked series without samples");
    /* Prometheus's budget: the frame size less each label's message size
     * (without its field header), less each chunk's; a frame is sent once
     * the budget is spent, so it overshoots by at most one chunk. */
    int64_t budget = max_frame_bytes > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)max_frame_bytes;
    for (size_t i = 0; i < nl; i++) budget -= (int64_t)label_size(&ls[i]);
    size_t lsize = labels_fields_size(ls, nl);
    st_buf chunks = {0}, xor = {0};
    int64_t left = budget;
    int rc = 0;
    for (size_t i = 0; i < n; i += PRR_CHUNK_SAMPLES) {
        size_t k = n - i < PRR_CHUNK_SAMPLES ? n - i : PRR_CHUNK_SAMPLES;
        xor.len = 0;
        rc = prr_xor_encode(ts_ms + i, vals + i, k, &xor, e);
        if (rc) break;
        int64_t mint = ts_ms[i], maxt = ts_ms[i + k - 1];
        size_t csz = chunk_size(mint, maxt, xor.len);
        put_tag(&chunks, 2, WT_LEN);
        put_varint(&chunks, csz);
        if (mint) {
            put_tag(&chunks, 1, WT_VARINT);
            put_varint(&chunks, (uint64_t)mint);
        }
        if (maxt) {
            put_tag(&chunks, 2, WT_VARINT);
            put_varint(&chunks, (uint64_t)maxt);
        }
        put_tag(&chunks, 3, WT_VARINT);
        put_varint(&chunks, PRR_ENC_XOR);
        put_len(&chunks, 4, xor.p, xor.len);
        left -= (int64_t)csz;
        if (st) {
            st->chunks++;
            st->samples += k;
        }
        if (left > 0 && i + k < n) continue;
        put_frame(out, query_index, ls, nl, lsize, &chunks);
        if (st) st->frames++;
        chunks.len = 0;
        left = budget;
    }
    st_buf_free(&chunks);
    st_buf_free(&xor);
    return rc;
}

/* ---------------------------------------------------- response decoders */

static const char RESP[] = "remote_read response";

static int decode_labels(st_slice msg, uint32_t num, st_arena *a, label **out, size_t *nl, const where *w,
                         st_err *e)
{
    size_t cnt;
    int rc = pb_count(msg, num, &cnt, RESP, w, e);
    if (rc) return rc;
    *out = st_arena_alloc(a, (cnt ? cnt : 1) * sizeof **out);
    *nl = 0;
    const uint8_t *p = (const uint8_t *)msg.p, *end = p + msg.n;
    pfield f;
    while ((rc = pb_next(&p, end, &f, RESP, w, e)) == 1) {
        if (f.num != num) continue;
        if (want_wt(&f, WT_LEN, "labels", RESP, w, e)) return ST_EINVAL;
        label *l = &(*out)[(*nl)++];
        l->name = l->value = st_slice_of("", 0);
        const uint8_t *q = (const uint8_t *)f.s.p, *qe = q + f.s.n;
        pfield g;
        while ((rc = pb_next(&q, qe, &g, RESP, w, e)) == 1) {
            if (g.num != 1 && g.num != 2) continue;
            if (want_wt(&g, WT_LEN, g.num == 1 ? "name" : "value", RESP, w, e)) return ST_EINVAL;
            if (g.num == 1) l->name = g.s;
            else l->value = g.s;
        }
        if (rc) return rc;
    }
    return rc;
}

static int decode_timeseries(st_slice msg, st_arena *a, prr_series *s, const where *w, st_err *e)
{
    memset(s, 0, sizeof *s);
    int rc = decode_labels(msg, 1, a, &s->labels, &s->nlabels, w, e);
    if (rc) return rc;
    size_t cnt;
    rc = pb_count(msg, 2, &cnt, RESP, w, e);
    if (rc) return rc;
    s->ts = st_arena_alloc(a, (cnt ? cnt : 1) * sizeof *s->ts);
    s->vals = st_arena_alloc(a, (cnt ? cnt : 1) * sizeof *s->vals);
    const uint8_t *p = (const uint8_t *)msg.p, *end = p + msg.n;
    pfield f;
    while ((rc = pb_next(&p, end, &f, RESP, w, e)) == 1) {
        if (f.num != 2) continue;
        if (want_wt(&f, WT_LEN, "samples", RESP, w, e)) return ST_EINVAL;
        size_t i = s->n++;
        s->ts[i] = 0;
        s->vals[i] = 0;
        const uint8_t *q = (const uint8_t *)f.s.p, *qe = q + f.s.n;
        pfield g;
        while ((rc = pb_next(&q, qe, &g, RESP, w, e)) == 1) {
            if (g.num == 1) {
                if (want_wt(&g, WT_I64, "value", RESP, w, e)) return ST_EINVAL;
                s->vals[i] = g.v;
            } else if (g.num == 2) {
                if (want_wt(&g, WT_VARINT, "timestamp", RESP, w, e)) return ST_EINVAL;
                s->ts[i] = u2s(g.v);
            }
        }
        if (rc) return rc;
    }
    return rc;
}

int prr_decode_read_response(const uint8_t *buf, size_t n, st_arena *a, prr_result **results, size_t *nresults,
                             st_err *e)
{
    if (!n) buf = (const uint8_t *)"";
    st_slice msg = st_slice_of((const char *)buf, n);
    size_t nr;
    int rc = pb_count(msg, 1, &nr, RESP, NULL, e);
    if (rc) return rc;
    prr_result *rs = st_arena_alloc(a, (nr ? nr : 1) * sizeof *rs);
    size_t k = 0;
    const uint8_t *p = buf, *end = buf + n;
    pfield f;
    while ((rc = pb_next(&p, end, &f, RESP, NULL, e)) == 1) {
        if (f.num != 1) continue;
        where w;
        wfmt(&w, "results[%zu]", k);
        if (want_wt(&f, WT_LEN, "results", RESP, &w, e)) return ST_EINVAL;
        prr_result *r = &rs[k++];
        size_t ns;
        rc = pb_count(f.s, 1, &ns, RESP, &w, e);
        if (rc) return rc;
        r->series = st_arena_alloc(a, (ns ? ns : 1) * sizeof *r->series);
        r->nseries = 0;
        const uint8_t *q = (const uint8_t *)f.s.p, *qe = q + f.s.n;
        pfield g;
        while ((rc = pb_next(&q, qe, &g, RESP, &w, e)) == 1) {
            if (g.num != 1) continue;
            where sw;
            wfmt(&sw, "results[%zu].timeseries[%zu]", k - 1, r->nseries);
            if (want_wt(&g, WT_LEN, "timeseries", RESP, &sw, e)) return ST_EINVAL;
            rc = decode_timeseries(g.s, a, &r->series[r->nseries], &sw, e);
            if (rc) return rc;
            r->nseries++;
        }
        if (rc) return rc;
    }
    if (rc) return rc;
    *results = rs;
    *nresults = k;
    return 0;
}

static int decode_chunked_series(st_slice msg, st_arena *a, prr_chunked_series *s, const where *w, st_err *e)
{
    memset(s, 0, sizeof *s);
    int rc = decode_labels(msg, 1, a, &s->labels, &s->nlabels, w, e);
    if (rc) return rc;
    size_t cnt;
    rc = pb_count(msg, 2, &cnt, RESP, w, e);
    if (rc) return rc;
    s->chunks = st_arena_alloc(a, (cnt ? cnt : 1) * sizeof *s->chunks);
    const uint8_t *p = (const uint8_t *)msg.p, *end = p + msg.n;
    pfield f;
    while ((rc = pb_next(&p, end, &f, RESP, w, e)) == 1) {
        if (f.num != 2) continue;
        if (want_wt(&f, WT_LEN, "chunks", RESP, w, e)) return ST_EINVAL;
        prr_chunk *c = &s->chunks[s->nchunks++];
        memset(c, 0, sizeof *c);
        c->data = st_slice_of("", 0);
        const uint8_t *q = (const uint8_t *)f.s.p, *qe = q + f.s.n;
        pfield g;
        while ((rc = pb_next(&q, qe, &g, RESP, w, e)) == 1) {
            static const unsigned wts[5] = {0, WT_VARINT, WT_VARINT, WT_VARINT, WT_LEN};
            static const char *const names[5] = {"", "min_time_ms", "max_time_ms", "type", "data"};
            if (g.num < 1 || g.num > 4) continue;
            if (want_wt(&g, wts[g.num], names[g.num], RESP, w, e)) return ST_EINVAL;
            if (g.num == 1) c->min_ms = u2s(g.v);
            else if (g.num == 2) c->max_ms = u2s(g.v);
            else if (g.num == 3) c->type = u2s(g.v);
            else c->data = g.s;
        }
        if (rc) return rc;
    }
    return rc;
}

int prr_decode_chunked(const uint8_t *buf, size_t n, st_arena *a, prr_chunked_series **series, size_t *nseries,
                       int64_t *query_index, st_err *e)
{
    if (!n) buf = (const uint8_t *)"";
    st_slice msg = st_slice_of((const char *)buf, n);
    size_t ns;
    int rc = pb_count(msg, 1, &ns, RESP, NULL, e);
    if (rc) return rc;
    prr_chunked_series *ss = st_arena_alloc(a, (ns ? ns : 1) * sizeof *ss);
    size_t k = 0;
    int64_t qi = 0;
    const uint8_t *p = buf, *end = buf + n;
    pfield f;
    while ((rc = pb_next(&p, end, &f, RESP, NULL, e)) == 1) {
        if (f.num == 2) {
            if (want_wt(&f, WT_VARINT, "query_index", RESP, NULL, e)) return ST_EINVAL;
            qi = u2s(f.v);
        } else if (f.num == 1) {
            where w;
            wfmt(&w, "chunked_series[%zu]", k);
            if (want_wt(&f, WT_LEN, "chunked_series", RESP, &w, e)) return ST_EINVAL;
            rc = decode_chunked_series(f.s, a, &ss[k], &w, e);
            if (rc) return rc;
            k++;
        }
    }
    if (rc) return rc;
    *series = ss;
    *nseries = k;
    *query_index = qi;
    return 0;
}
