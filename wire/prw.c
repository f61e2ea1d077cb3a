/* prw: remote_write content negotiation, decompression and the protobuf
 * decoder. Formats and guarantees: prw.h.
 *
 * The decoder walks the wire format directly: a cursor (p, end) per
 * message, a tag varint, then the value by wire type. Nested messages are
 * walked in place, so nothing is copied but the samples (which must be
 * decoded from fixed64/varint anyway) and the label slice headers. Scratch
 * arrays live in the caller's arena and are reused from series to series,
 * growing geometrically, so a request costs a few allocations whatever its
 * size.
 */
#include "prw.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "bits.h"

/* ------------------------------------------------------- negotiation */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* Does [s, s+n) trimmed of blanks equal word (case-insensitively)? */
static bool token_is(const char *s, size_t n, const char *word)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') s++, n -= 2;
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

int prw_content_type(const char *ct)
{
    if (!ct) return PRW_V1;
    ct = skip_ws(ct);
    if (!*ct) return PRW_V1;
    const char *semi = strchr(ct, ';');
    size_t mlen = semi ? (size_t)(semi - ct) : strlen(ct);
    if (!token_is(ct, mlen, "application/x-protobuf")) return 0;
    int v = PRW_V1;
    while (semi) {
        const char *par = semi + 1;
        semi = strchr(par, ';');
        size_t plen = semi ? (size_t)(semi - par) : strlen(par);
        const char *eq = memchr(par, '=', plen);
        if (!eq) {
            if (token_is(par, plen, "")) continue; /* a trailing ';' */
            return 0;
        }
        if (!token_is(par, (size_t)(eq - par), "proto")) continue; /* e.g. charset: harmless */
        const char *val = eq + 1;
        size_t vlen = plen - (size_t)(val - par);
        if (token_is(val, vlen, "prometheus.WriteRequest")) v = PRW_V1;
        else if (token_is(val, vlen, "io.prometheus.write.v2.Request")) v = PRW_V2;
        else return 0;
    }
    return v;
}

int prw_encoding_of(const char *ce)
{
    if (!ce) return PRW_ENC_SNAPPY;
    size_t n = strlen(ce);
    if (token_is(ce, n, "") || token_is(ce, n, "snappy")) return PRW_ENC_SNAPPY;
    if (token_is(ce, n, "zstd")) return PRW_ENC_ZSTD;
    if (token_is(ce, n, "gzip") || token_is(ce, n, "x-gzip")) return PRW_ENC_GZIP;
    return 0;
}

/* ------------------------------------------------------ decompression */

/* Makes room in out for the next piece of output, never past max + 1 bytes
 * in all: one byte over the limit is enough to know it is exceeded, and
 * memory stays bounded by the limit rather than by a doubling. Returns the
 * room. */
static size_t room_upto(st_buf *out, uint64_t max)
{
    uint64_t left = max + 1 - out->len;
    if (out->cap - out->len < 4096 && out->cap - out->len < left) {
        size_t want = out->cap > 65536 ? out->cap : 65536;
        if (want > left) want = (size_t)left;
        st_buf_reserve(out, want);
    }
    size_t room = out->cap - out->len;
    return room > left ? (size_t)left : room;
}

static int too_large(st_err *e, uint64_t got, uint64_t max)
{
    return st_fail(e, ST_ELIMIT,
                   "decompressed body (%" PRIu64 " bytes%s) is larger than --max-decoded-size (%" PRIu64
                   " bytes)",
                   got, got > max ? "" : " or more", max);
}

static int unsnappy(const uint8_t *in, size_t n, uint64_t max, st_buf *out, st_err *e)
{
    static const uint8_t framed[] = {0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y'};
    if (n >= sizeof framed && memcmp(in, framed, sizeof framed) == 0)
        return st_fail(e, ST_EINVAL, "snappy framed format is not allowed by remote_write: use the block format");
    size_t len;
    if (snappy_uncompressed_length((const char *)in, n, &len) != SNAPPY_OK)
        return st_fail(e, ST_EINVAL, "invalid snappy body: bad length preamble");
    /* the preamble is the client's claim: refuse a huge one before
     * allocating anything, then let the decoder prove it */
    if ((uint64_t)len > max) return too_large(e, len, max);
    st_buf_reserve(out, len + 1);
    size_t got = len;
    if (snappy_uncompress((const char *)in, n, (char *)out->p, &got) != SNAPPY_OK || got != len)
        return st_fail(e, ST_EINVAL, "invalid snappy body: corrupt or truncated (declared %zu bytes)", len);
    out->len = got;
    return 0;
}

static int unzstd(const uint8_t *in, size_t n, uint64_t max, st_buf *out, st_err *e)
{
    unsigned long long declared = ZSTD_getFrameContentSize(in, n);
    if (declared == ZSTD_CONTENTSIZE_ERROR)
        return st_fail(e, ST_EINVAL, "invalid zstd body: not a zstd frame");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
        if (declared > max) return too_large(e, declared, max);
        st_buf_reserve(out, (size_t)declared + 1);
    }
    /* Streaming whatever the header says: a body may hold several frames,
     * and a header may lie; the cap below is what protects memory. */
    ZSTD_DStream *z = ZSTD_createDStream();
    if (!z) return st_fail(e, ST_EIO, "cannot start zstd");
    ZSTD_initDStream(z);
    ZSTD_inBuffer ib = {in, n, 0};
    int rc = 0;
    size_t last = 1;
    while (ib.pos < ib.size || last != 0) {
        size_t room = room_upto(out, max); /* may move out->p: before taking it */
        ZSTD_outBuffer ob = {out->p + out->len, room, 0};
        size_t before = ib.pos;
        last = ZSTD_decompressStream(z, &ob, &ib);
        if (ZSTD_isError(last)) {
            rc = st_fail(e, ST_EINVAL, "invalid zstd body: %s", ZSTD_getErrorName(last));
            break;
        }
        out->len += ob.pos;
        if (out->len > max) {
            rc = too_large(e, out->len, max);
            break;
        }
        if (ib.pos == ib.size && last != 0 && ob.pos < ob.size && ib.pos == before) {
            rc = st_fail(e, ST_EINVAL, "invalid zstd body: truncated");
            break;
        }
    }
    ZSTD_freeDStream(z);
    return rc;
}

static int ungzip(const uint8_t *in, size_t n, uint64_t max, st_buf *out, st_err *e)
{
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return st_fail(e, ST_EIO, "cannot start gzip");
    z.next_in = (Bytef *)in;
    /* bodies are capped far below 4 GiB by --max-body-size; clamp anyway */
    z.avail_in = n > 0xffffffffu ? 0xffffffffu : (uInt)n;
    int rc = 0;
    for (;;) {
        size_t room = room_upto(out, max);
        z.next_out = out->p + out->len;
        z.avail_out = room > 0xffffffffu ? 0xffffffffu : (uInt)room;
        uInt avail = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        out->len += avail - z.avail_out;
        if (out->len > max) {
            rc = too_large(e, out->len, max);
            break;
        }
        if (zr == Z_STREAM_END) break;
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = st_fail(e, ST_EINVAL, "invalid gzip body: %s", z.msg ? z.msg : "corrupt data");
            break;
        }
        if (zr == Z_BUF_ERROR && z.avail_in == 0) {
            rc = st_fail(e, ST_EINVAL, "invalid gzip body: truncated");
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

int prw_decompress(int enc, const uint8_t *in, size_t n, uint64_t max, st_buf *out, st_err *e)
{
    out->len = 0;
    if (max > (uint64_t)SIZE_MAX / 2) max = (uint64_t)SIZE_MAX / 2; /* room_upto adds 1 */
    switch (enc) {
    case PRW_ENC_SNAPPY: return unsnappy(in, n, max, out, e);
    case PRW_ENC_ZSTD: return unzstd(in, n, max, out, e);
    case PRW_ENC_GZIP: return ungzip(in, n, max, out, e);
    default: return st_fail(e, ST_EINVAL, "unsupported Content-Encoding");
    }
}

/* ------------------------------------------------------ wire format */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };
/* tags as the usual 1.0 body spells them: TimeSeries.labels (1, LEN),
 * TimeSeries.samples (2, LEN), Sample.value (1, I64), Sample.timestamp (2,
 * VARINT) */
enum { TAG_LABEL = 0x0a, TAG_SAMPLE = 0x12, TAG_VALUE = 0x09, TAG_TIMESTAMP = 0x10 };

static const char *const wt_names[8] = {"varint", "fixed64", "length-delimited", "start-group",
                                        "end-group", "fixed32", "invalid(6)", "invalid(7)"};

/* Decoder state for one request. */
typedef struct dec {
    const uint8_t *buf, *bufend;
    st_arena *arena;
    const prw_handler *h;
    prw_counts c;
    st_err *e;
    /* what the current message is, for messages */
    size_t series_idx;
    bool in_series;
    /* the item inside it ("label", "sample", "metadata") and its index:
     * named lazily by fail(), formatting per item would cost more than
     * decoding it */
    const char *sub;
    size_t sub_idx;
    const label *cur_labels;
    size_t cur_nlabels;
    /* lazy_labels: the current series' Label fields framed so far, not
     * decoded (NULL when none, or when they are decoded) */
    const uint8_t *lazy_lb, *lazy_lbend;
    /* scratch, reused per series */
    label *labels;
    size_t caplabels;
    prw_sample *samples;
    size_t capsamples;
    uint32_t *refs;
    size_t caprefs;
    /* 2.0 */
    st_slice *syms;
    size_t nsyms;
} dec;

static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v);

/* The __name__ value among the Label fields framed in [p, end), each
 * decoded as far as it is well formed; {NULL, 0} if none. For messages
 * only: the labels of a lazily decoded series are not at hand. */
static st_slice name_in_range(const uint8_t *p, const uint8_t *end)
{
    st_slice name = {0};
    uint64_t t, l;
    while (p < end && get_varint(&p, end, &t) == 0 && get_varint(&p, end, &l) == 0 && l <= (uint64_t)(end - p)) {
        const uint8_t *q = p, *qe = p + l;
        st_slice n = {0}, v = {0};
        uint64_t ft, fl;
        while (q < qe && get_varint(&q, qe, &ft) == 0 && (ft & 7) == WT_LEN && get_varint(&q, qe, &fl) == 0 &&
               fl <= (uint64_t)(qe - q)) {
            if (ft >> 3 == 1) n = st_slice_of((const char *)q, (size_t)fl);
            if (ft >> 3 == 2) v = st_slice_of((const char *)q, (size_t)fl);
            q += fl;
        }
        if (n.n == 8 && memcmp(n.p, LABEL_METRIC_NAME, 8) == 0) name = v.p ? v : st_slice_of((const char *)q, 0);
        p += l;
    }
    return name;
}

/* Error with the location prefix: "timeseries[3] (metric "up"): ...". */
static int fail(dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(dec *d, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t sl = d->sub ? strlen(d->sub) : 0;
    if (sl && strncmp(msg, d->sub, sl) == 0 && msg[sl] == ':') {
        char tmp[300];
        snprintf(tmp, sizeof tmp, "%s %zu%s", d->sub, d->sub_idx, msg + sl);
        memcpy(msg, tmp, sizeof msg);
    }
    if (!d->in_series) return st_fail(d->e, ST_EINVAL, "invalid remote_write request: %s", msg);
    st_slice name = {0};
    if (d->lazy_lb) name = name_in_range(d->lazy_lb, d->lazy_lbend);
    for (size_t i = 0; i < d->cur_nlabels; i++) {
        const label *l = &d->cur_labels[i];
        if (l->name.n == 8 && memcmp(l->name.p, LABEL_METRIC_NAME, 8) == 0) name = l->value;
    }
    if (name.p)
        return st_fail(d->e, ST_EINVAL, "invalid remote_write request: timeseries[%zu] (metric \"%.*s\"): %s",
                       d->series_idx, (int)(name.n > 100 ? 100 : name.n), name.p, msg);
    return st_fail(d->e, ST_EINVAL, "invalid remote_write request: timeseries[%zu]: %s", d->series_idx, msg);
}

/* A varint of at most 10 bytes whose value fits in 64 bits. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80) { /* the common one-byte case */
        *v = *p;
        *pp = p + 1;
        return 0;
    }
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (p >= end) return -1;
        uint8_t b = *p++;
        if (shift == 63 && b > 1) return -1;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *v = r;
            *pp = p;
            return 0;
        }
    }
    return -1;
}

/* Error paths of get_tag/get_len, kept out of line so that the hot paths
 * inline into the loops. */
static int __attribute__((noinline, cold)) tag_error(dec *d, const char *what, uint64_t t, bool bad_varint)
{
    if (bad_varint) return fail(d, "%s: truncated or overlong field tag", what);
    return fail(d, "%s: invalid field number %" PRIu64, what, t >> 3);
}

static int __attribute__((noinline, cold)) len_error(dec *d, const char *what, uint32_t field, uint64_t l,
                                                    size_t left, bool bad_varint)
{
    if (bad_varint) return fail(d, "%s: field %u: truncated length", what, field);
    return fail(d, "%s: field %u: length %" PRIu64 " runs past the end of its message (%zu bytes left)", what,
                field, l, left);
}

/* Reads a tag. what names the message for errors. */
static inline int get_tag(dec *d, const uint8_t **p, const uint8_t *end, uint32_t *field, unsigned *wt,
                          const char *what)
{
    uint64_t t;
    *field = 0; /* defined on the error paths too (and gcc can see it) */
    *wt = 0;
    if (get_varint(p, end, &t)) return tag_error(d, what, 0, true);
    if ((t >> 3) == 0 || (t >> 3) > 0x1fffffff) return tag_error(d, what, t, false);
    *field = (uint32_t)(t >> 3);
    *wt = (unsigned)(t & 7);
    return 0;
}

static inline int get_len(dec *d, const uint8_t **p, const uint8_t *end, const uint8_t **sub, size_t *n,
                          const char *what, uint32_t field)
{
    uint64_t l;
    *sub = *p;
    *n = 0;
    if (get_varint(p, end, &l)) return len_error(d, what, field, 0, 0, true);
    if (l > (uint64_t)(end - *p)) return len_error(d, what, field, l, (size_t)(end - *p), false);
    *sub = *p;
    *n = (size_t)l;
    *p += l;
    return 0;
}

/* Skips a field of an unknown number. Groups (deprecated in proto2, absent
 * in proto3) are refused rather than walked. */
static int skip_field(dec *d, const uint8_t **p, const uint8_t *end, uint32_t field, unsigned wt,
                      const char *what)
{
    uint64_t v;
    const uint8_t *s;
    size_t n;
    switch (wt) {
    case WT_VARINT:
        if (get_varint(p, end, &v)) return fail(d, "%s: field %u: truncated varint", what, field);
        return 0;
    case WT_I64:
        if (end - *p < 8) return fail(d, "%s: field %u: truncated fixed64", what, field);
        *p += 8;
        return 0;
    case WT_I32:
        if (end - *p < 4) return fail(d, "%s: field %u: truncated fixed32", what, field);
        *p += 4;
        return 0;
    case WT_LEN: return get_len(d, p, end, &s, &n, what, field);
    default: return fail(d, "%s: field %u: unsupported wire type %s", what, field, wt_names[wt & 7]);
    }
}

static int __attribute__((noinline, cold)) wt_error(dec *d, unsigned got, unsigned want, const char *what,
                                                   uint32_t field)
{
    return fail(d, "%s: field %u has wire type %s, want %s", what, field, wt_names[got & 7], wt_names[want]);
}

static inline int want_wt(dec *d, unsigned got, unsigned want, const char *what, uint32_t field)
{
    return got == want ? 0 : wt_error(d, got, want, what, field);
}

/* Grows an arena-backed scratch array to hold at least need elements. */
static void *grow(st_arena *a, void *old, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return old;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    void *p = st_arena_alloc(a, nc * elem);
    if (*cap) memcpy(p, old, *cap * elem);
    *cap = nc;
    return p;
}

static inline int push_label(dec *d, size_t *n, st_slice name, st_slice value)
{
    if (*n >= d->caplabels) d->labels = grow(d->arena, d->labels, &d->caplabels, *n + 1, sizeof *d->labels);
    d->labels[*n].name = name;
    d->labels[*n].value = value;
    (*n)++;
    d->cur_labels = d->labels;
    d->cur_nlabels = *n;
    return 0;
}

/* Sample { double value = 1; int64 timestamp = 2; [2.0: int64 start_timestamp = 3;] } */
static int decode_sample(dec *d, const uint8_t *p, const uint8_t *end, prw_sample *out, size_t idx)
{
    const char *what = "sample";
    d->sub = what;
    d->sub_idx = idx;
    out->bits = 0;
    out->ts_ms = 0;
    while (p < end) {
        uint32_t f;
        unsigned wt;
        if (get_tag(d, &p, end, &f, &wt, what)) return ST_EINVAL;
        if (f == 1) {
            if (want_wt(d, wt, WT_I64, what, f)) return ST_EINVAL;
            if (end - p < 8) return fail(d, "%s: truncated value", what);
            out->bits = get_u64le(p);
            p += 8;
        } else if (f == 2) {
            uint64_t v;
            if (want_wt(d, wt, WT_VARINT, what, f)) return ST_EINVAL;
            if (get_varint(&p, end, &v)) return fail(d, "%s: truncated timestamp", what);
            out->ts_ms = (int64_t)v;
        } else if (skip_field(d, &p, end, f, wt, what)) {
            return ST_EINVAL;
        }
    }
    return 0;
}

static int push_sample(dec *d, size_t *n, const uint8_t *s, size_t len)
{
    if (*n >= d->capsamples) d->samples = grow(d->arena, d->samples, &d->capsamples, *n + 1, sizeof *d->samples);
    if (decode_sample(d, s, s + len, &d->samples[*n], *n)) return ST_EINVAL;
    (*n)++;
    return 0;
}

/* Label { string name = 1; string value = 2; } */
static int decode_label_v1(dec *d, const uint8_t *p, const uint8_t *end, size_t *n)
{
    st_slice name = {(const char *)p, 0}, value = {(const char *)p, 0};
    const char *what = "label";
    d->sub = what;
    d->sub_idx = *n;
    while (p < end) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        if (get_tag(d, &p, end, &f, &wt, what)) return ST_EINVAL;
        if (f == 1 || f == 2) {
            if (want_wt(d, wt, WT_LEN, what, f) || get_len(d, &p, end, &s, &len, what, f)) return ST_EINVAL;
            if (f == 1) name = st_slice_of((const char *)s, len);
            else value = st_slice_of((const char *)s, len);
        } else if (skip_field(d, &p, end, f, wt, what)) {
            return ST_EINVAL;
        }
    }
    return push_label(d, n, name, value);
}

static int emit_series(dec *d, label *labels, size_t nl, size_t ns, size_t nh, size_t nx, const uint8_t *lb,
                       size_t lblen)
{
    d->c.series++;
    d->c.samples += ns;
    d->c.histograms += nh;
    d->c.exemplars += nx;
    if (!d->h || !d->h->series) return 0;
    prw_series s = {.index = d->series_idx, .labels = labels, .nlabels = nl,
                    .samples = d->samples, .nsamples = ns, .nhistograms = nh, .nexemplars = nx,
                    .label_bytes = lb, .label_bytes_len = lblen};
    return d->h->series(d->h->ctx, &s, d->e);
}

/* TimeSeries (1.0). With h->lazy_labels, the Label fields are framed
 * (tag, wire type, length) but not decoded when they are contiguous: the
 * callback gets their range and count and decodes them if it needs to. */
static int decode_series_v1(dec *d, const uint8_t *start, const uint8_t *end)
{
    size_t nl = 0, ns = 0, nh = 0, nx = 0;
    bool lazy = d->h && d->h->lazy_labels;
    /* the Label fields' byte range, while they are contiguous */
    const uint8_t *lb = NULL, *lbend = NULL;
    bool contiguous = true;
    d->in_series = true;
    d->cur_nlabels = 0;
    d->sub = NULL; /* nothing of an earlier series names a fault in this one */
    d->lazy_lb = d->lazy_lbend = NULL;
    for (const uint8_t *p = start; p < end;) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        const uint8_t *field = p;
        if (lazy && *p == TAG_LABEL && contiguous && (!lb || p == lbend)) {
            /* a run of Label fields, framed only: the common case gets a
             * tight loop; a malformed field stops it and the general code
             * below words the error */
            const uint8_t *q = p;
            uint64_t l;
            while (q < end && *q == TAG_LABEL) {
                const uint8_t *r = q + 1;
                if (get_varint(&r, end, &l) || l > (uint64_t)(end - r)) break;
                q = r + l;
                nl++;
            }
            if (q != p) {
                if (!lb) lb = p;
                lbend = q;
                d->lazy_lb = lb;
                d->lazy_lbend = lbend;
                p = q;
                continue;
            }
        }
        if (*p == TAG_SAMPLE && end - p >= 12 && p[1] >= 10 && p[1] < 0x80 && p[2] == TAG_VALUE &&
            p[11] == TAG_TIMESTAMP && (size_t)(end - p) >= 2u + p[1]) {
            /* a Sample { value, timestamp } in its usual spelling */
            const uint8_t *q = p + 12, *qe = p + 2 + p[1];
            uint64_t ts;
            if (get_varint(&q, qe, &ts) == 0 && q == qe) {
                if (ns >= d->capsamples)
                    d->samples = grow(d->arena, d->samples, &d->capsamples, ns + 1, sizeof *d->samples);
                d->samples[ns].bits = get_u64le(p + 3);
                d->samples[ns].ts_ms = (int64_t)ts;
                ns++;
                p = qe;
                continue;
            }
        }
        if (get_tag(d, &p, end, &f, &wt, "timeseries")) return ST_EINVAL;
        if (f >= 1 && f <= 4) {
            if (want_wt(d, wt, WT_LEN, f == 1 ? "label" : f == 2 ? "sample" : f == 3 ? "exemplar" : "histogram", f) ||
                get_len(d, &p, end, &s, &len, "timeseries", f))
                return ST_EINVAL;
            if (f == 1) {
                if (!lb) lb = field;
                else if (field != lbend) contiguous = false;
                lbend = p;
                if (!lazy) {
                    if (decode_label_v1(d, s, s + len, &nl)) return ST_EINVAL;
                } else {
                    nl++;
                    if (contiguous) { /* for messages: fail() looks the metric name up here */
                        d->lazy_lb = lb;
                        d->lazy_lbend = lbend;
                    }
                }
            }
            if (f == 2 && push_sample(d, &ns, s, len)) return ST_EINVAL;
            if (f == 3) nx++;
            if (f == 4) nh++;
        } else if (skip_field(d, &p, end, f, wt, "timeseries")) {
            return ST_EINVAL;
        }
    }
    if (!contiguous || !lb) lb = lbend = NULL;
    if (lazy && !lb && nl) {
        /* interleaved Label fields: decoded after all, in a second walk
         * over a series whose framing the first one checked */
        d->lazy_lb = d->lazy_lbend = NULL;
        nl = 0;
        for (const uint8_t *p = start; p < end;) {
            uint32_t f;
            unsigned wt;
            const uint8_t *s;
            size_t len;
            if (get_tag(d, &p, end, &f, &wt, "timeseries")) return ST_EINVAL;
            if (wt != WT_LEN) {
                if (skip_field(d, &p, end, f, wt, "timeseries")) return ST_EINVAL;
                continue;
            }
            if (get_len(d, &p, end, &s, &len, "timeseries", f)) return ST_EINVAL;
            if (f == 1 && decode_label_v1(d, s, s + len, &nl)) return ST_EINVAL;
        }
        lazy = false;
    }
    int rc = emit_series(d, lazy ? NULL : d->labels, nl, ns, nh, nx, lb, (size_t)(lbend - lb));
    d->in_series = false;
    d->lazy_lb = d->lazy_lbend = NULL;
    return rc;
}

/* MetricMetadata { type = 1; metric_family_name = 2; help = 4; unit = 5; } */
static int decode_metadata_v1(dec *d, const uint8_t *p, const uint8_t *end)
{
    prw_metadata m = {0};
    const char *what = "metadata";
    d->sub = what;
    d->sub_idx = (size_t)d->c.metadata;
    while (p < end) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        uint64_t v;
        if (get_tag(d, &p, end, &f, &wt, what)) return ST_EINVAL;
        if (f == 1) {
            if (want_wt(d, wt, WT_VARINT, what, f)) return ST_EINVAL;
            if (get_varint(&p, end, &v)) return fail(d, "%s: truncated type", what);
            m.type = v > 0xffff ? 0 : (unsigned)v;
        } else if (f == 2 || f == 4 || f == 5) {
            if (want_wt(d, wt, WT_LEN, what, f) || get_len(d, &p, end, &s, &len, what, f)) return ST_EINVAL;
            st_slice sl = st_slice_of((const char *)s, len);
            if (f == 2) m.family = sl;
            else if (f == 4) m.help = sl;
            else m.unit = sl;
        } else if (skip_field(d, &p, end, f, wt, what)) {
            return ST_EINVAL;
        }
    }
    d->c.metadata++;
    if (d->h && d->h->metadata) d->h->metadata(d->h->ctx, &m);
    return 0;
}

static int decode_v1(dec *d, const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        if (get_tag(d, &p, end, &f, &wt, "WriteRequest")) return ST_EINVAL;
        if (f == 1 || f == 3) {
            if (want_wt(d, wt, WT_LEN, "WriteRequest", f) || get_len(d, &p, end, &s, &len, "WriteRequest", f))
                return ST_EINVAL;
            int rc = f == 1 ? decode_series_v1(d, s, s + len) : decode_metadata_v1(d, s, s + len);
            if (f == 1) d->series_idx++;
            if (rc) return rc;
        } else if (skip_field(d, &p, end, f, wt, "WriteRequest")) {
            return ST_EINVAL;
        }
    }
    return 0;
}

/* ---------------------------------------------------------- 2.0 */

/* Appends repeated uint32 refs (packed, or one unpacked varint) to
 * d->refs[*n...]. */
static int collect_refs(dec *d, const uint8_t **p, const uint8_t *end, unsigned wt, size_t *n,
                        const char *what, uint32_t field)
{
    const uint8_t *s, *se;
    size_t len;
    if (wt == WT_VARINT) {
        s = *p;
        se = end;
    } else if (wt == WT_LEN) {
        if (get_len(d, p, end, &s, &len, what, field)) return ST_EINVAL;
        se = s + len;
    } else {
        return fail(d, "%s: field %u has wire type %s, want varint or packed", what, field, wt_names[wt & 7]);
    }
    while (s < se) {
        uint64_t v;
        if (get_varint(&s, se, &v)) return fail(d, "%s: truncated ref", what);
        if (v >= d->nsyms)
            return fail(d, "%s: ref %" PRIu64 " outside the symbol table (%zu symbols)", what, v, d->nsyms);
        d->refs = grow(d->arena, d->refs, &d->caprefs, *n + 1, sizeof *d->refs);
        d->refs[(*n)++] = (uint32_t)v;
        if (wt == WT_VARINT) break;
    }
    if (wt == WT_VARINT) *p = s;
    return 0;
}

/* Exemplar { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }:
 * only framing and refs are checked; exemplars are not stored (yet). */
static int check_exemplar_v2(dec *d, const uint8_t *p, const uint8_t *end, size_t base)
{
    /* refs go to the scratch array past the series' own (from base) and
     * are dropped */
    size_t n = base;
    while (p < end) {
        uint32_t f;
        unsigned wt;
        if (get_tag(d, &p, end, &f, &wt, "exemplar")) return ST_EINVAL;
        if (f == 1) {
            if (collect_refs(d, &p, end, wt, &n, "exemplar labels_refs", f)) return ST_EINVAL;
        } else if (skip_field(d, &p, end, f, wt, "exemplar")) {
            return ST_EINVAL;
        }
    }
    if ((n - base) % 2) return fail(d, "exemplar labels_refs has an odd length");
    return 0;
}

/* Metadata { type = 1; help_ref = 3; unit_ref = 4; } */
static int decode_metadata_v2(dec *d, const uint8_t *p, const uint8_t *end, prw_metadata *m)
{
    while (p < end) {
        uint32_t f;
        unsigned wt;
        uint64_t v;
        if (get_tag(d, &p, end, &f, &wt, "metadata")) return ST_EINVAL;
        if (f == 1 || f == 3 || f == 4) {
            if (want_wt(d, wt, WT_VARINT, "metadata", f)) return ST_EINVAL;
            if (get_varint(&p, end, &v)) return fail(d, "metadata: field %u: truncated varint", f);
            if (f == 1) {
                m->type = v > 0xffff ? 0 : (unsigned)v;
                continue;
            }
            if (v >= d->nsyms)
                return fail(d, "metadata: %s %" PRIu64 " outside the symbol table (%zu symbols)",
                            f == 3 ? "help_ref" : "unit_ref", v, d->nsyms);
            if (f == 3) m->help = d->syms[v];
            else m->unit = d->syms[v];
        } else if (skip_field(d, &p, end, f, wt, "metadata")) {
            return ST_EINVAL;
        }
    }
    return 0;
}

static int decode_series_v2(dec *d, const uint8_t *p, const uint8_t *end)
{
    size_t nrefs = 0, ns = 0, nh = 0, nx = 0;
    bool has_md = false;
    prw_metadata m = {0};
    d->in_series = true;
    d->cur_nlabels = 0;
    while (p < end) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        if (get_tag(d, &p, end, &f, &wt, "timeseries")) return ST_EINVAL;
        switch (f) {
        case 1:
            if (collect_refs(d, &p, end, wt, &nrefs, "labels_refs", f)) return ST_EINVAL;
            break;
        case 2: case 3: case 4: case 5:
            if (want_wt(d, wt, WT_LEN, f == 2 ? "sample" : f == 3 ? "histogram" : f == 4 ? "exemplar" : "metadata", f) ||
                get_len(d, &p, end, &s, &len, "timeseries", f))
                return ST_EINVAL;
            if (f == 2 && push_sample(d, &ns, s, len)) return ST_EINVAL;
            if (f == 3) nh++;
            if (f == 4) {
                if (check_exemplar_v2(d, s, s + len, nrefs)) return ST_EINVAL;
                nx++;
            }
            if (f == 5) {
                if (decode_metadata_v2(d, s, s + len, &m)) return ST_EINVAL;
                has_md = true;
            }
            break;
        default:
            if (skip_field(d, &p, end, f, wt, "timeseries")) return ST_EINVAL;
        }
    }
    if (nrefs % 2) return fail(d, "labels_refs has an odd length (%zu): refs come in name/value pairs", nrefs);
    size_t nl = 0;
    for (size_t i = 0; i < nrefs; i += 2) push_label(d, &nl, d->syms[d->refs[i]], d->syms[d->refs[i + 1]]);
    /* Prometheus 3 attaches a Metadata to every 2.0 series, empty when it
     * knows nothing about the metric: that is no metadata, and must not
     * replace what an earlier request said. */
    if (has_md && (m.type || m.help.n || m.unit.n)) {
        for (size_t i = 0; i < nl; i++)
            if (d->labels[i].name.n == 8 && memcmp(d->labels[i].name.p, LABEL_METRIC_NAME, 8) == 0)
                m.family = d->labels[i].value;
        d->c.metadata++;
        if (d->h && d->h->metadata) d->h->metadata(d->h->ctx, &m);
    }
    int rc = emit_series(d, d->labels, nl, ns, nh, nx, NULL, 0);
    d->in_series = false;
    return rc;
}

static int decode_v2(dec *d, const uint8_t *p, const uint8_t *end)
{
    /* Pass 1: the symbol table, wherever its entries are (proto3 allows
     * fields in any order), so that refs can be checked as series arrive. */
    size_t cap = 0;
    for (const uint8_t *q = p; q < end;) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        if (get_tag(d, &q, end, &f, &wt, "Request")) return ST_EINVAL;
        if (f == 4) {
            if (want_wt(d, wt, WT_LEN, "Request symbols", f) || get_len(d, &q, end, &s, &len, "Request", f))
                return ST_EINVAL;
            d->syms = grow(d->arena, d->syms, &cap, d->nsyms + 1, sizeof *d->syms);
            d->syms[d->nsyms++] = st_slice_of((const char *)s, len);
        } else if (f == 5) {
            if (want_wt(d, wt, WT_LEN, "Request timeseries", f) || get_len(d, &q, end, &s, &len, "Request", f))
                return ST_EINVAL;
        } else if (skip_field(d, &q, end, f, wt, "Request")) {
            return ST_EINVAL;
        }
    }
    d->c.symbols = d->nsyms;
    if (d->nsyms && d->syms[0].n != 0)
        return fail(d, "symbols[0] must be the empty string (got %zu bytes)", d->syms[0].n);
    /* Pass 2: the series, framing already checked. */
    while (p < end) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        if (get_tag(d, &p, end, &f, &wt, "Request")) return ST_EINVAL;
        if (f == 5) {
            if (get_len(d, &p, end, &s, &len, "Request", f)) return ST_EINVAL;
            int rc = decode_series_v2(d, s, s + len);
            d->series_idx++;
            if (rc) return rc;
        } else if (skip_field(d, &p, end, f, wt, "Request")) {
            return ST_EINVAL;
        }
    }
    return 0;
}

int prw_labels_of(const uint8_t *lb, size_t n, st_arena *a, label **ls, size_t *cap, size_t *nout, st_err *e)
{
    return prw_series_labels(lb, n, SIZE_MAX, a, ls, cap, nout, e);
}

int prw_series_labels(const uint8_t *lb, size_t n, size_t index, st_arena *a, label **ls, size_t *cap,
                      size_t *nout, st_err *e)
{
    st_err local;
    /* the very code that decodes them in a full decode, so they cannot differ */
    dec d = {.buf = lb, .bufend = lb + n, .arena = a, .e = e ? e : &local, .labels = *ls, .caplabels = *cap,
             .in_series = index != SIZE_MAX, .series_idx = index};
    const uint8_t *p = lb, *end = lb + n;
    size_t nl = 0;
    int rc = 0;
    while (p < end && rc == 0) {
        uint32_t f;
        unsigned wt;
        const uint8_t *s;
        size_t len;
        if (get_tag(&d, &p, end, &f, &wt, "timeseries") || want_wt(&d, wt, WT_LEN, "label", f) ||
            get_len(&d, &p, end, &s, &len, "timeseries", f)) {
            rc = ST_EINVAL;
            break;
        }
        if (f != 1) rc = fail(&d, "field %u in a label range", f);
        else rc = decode_label_v1(&d, s, s + len, &nl);
    }
    *ls = d.labels;
    *cap = d.caplabels;
    *nout = nl;
    return rc;
}

int prw_decode(int v, const uint8_t *buf, size_t n, st_arena *a, const prw_handler *h,
               prw_counts *counts, st_err *e)
{
    st_err local;
    dec d = {.buf = buf, .bufend = buf + n, .arena = a, .h = h, .e = e ? e : &local};
    int rc;
    if (v == PRW_V1) rc = decode_v1(&d, buf, buf + n);
    else if (v == PRW_V2) rc = decode_v2(&d, buf, buf + n);
    else rc = st_fail(e, ST_EINVAL, "unknown remote_write version %d", v);
    if (counts) *counts = d.c;
    return rc;
}
