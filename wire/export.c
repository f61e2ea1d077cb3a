/* export: VictoriaMetrics JSON lines and line protocol, out of and into
 * Strata. See export.h for the formats.
 *
 * Where the JSON format comes from (VictoriaMetrics v1.79.0):
 *  - app/vmselect/prometheus/export.qtpl, ExportJSONLine: the line layout;
 *    values through quicktemplate's {%f= %} (QWriter.F: an integral value
 *    as an integer, else strconv.AppendFloat(f, 'f', -1, 64)), NaN as null
 *    except for values[0], which goes through %f unconditionally (fixed in
 *    1.82 by convertValueToSpecialJSON: null and "Infinity" strings).
 *  - app/vmselect/prometheus/util.qtpl, metricNameObject: "__name__" first,
 *    then the tags in MetricName order, strings through {%qz= %}
 *    (quicktemplate appendJSONString: \n \r \t \" \\, < and ' as \u003c and
 *    \u0027, other controls as \u00XX, nothing else touched).
 *  - lib/storage/metric_name.go, sortTags / commonTagKeys: the tag order
 *    stored at ingestion, which export reproduces.
 *  - lib/protoparser/vmimport/parser.go (1.79 and HEAD): what import
 *    accepts; HEAD's getSpecialFloat64 adds null and the quoted specials.
 */
#include "export.h"

#include "bits.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The labels of a key, in a small stack array when they fit. */
typedef struct keylabels {
    label stack[32];
    label *ls;
    size_t n;
} keylabels;

static int key_labels(const uint8_t *key, size_t keylen, keylabels *k)
{
    size_t cnt = labels_key_count(key, keylen);
    k->ls = cnt <= ST_ARRAY_LEN(k->stack) ? k->stack : st_malloc(cnt * sizeof(label));
    if (cnt == 0 || labels_key_parse(key, keylen, k->ls, cnt, &k->n) != 0) {
        if (k->ls != k->stack) st_free(k->ls);
        k->ls = NULL;
        return ST_ECORRUPT;
    }
    return 0;
}

static void key_labels_free(keylabels *k)
{
    if (k->ls && k->ls != k->stack) st_free(k->ls);
}

static bool slice_is(st_slice s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* -------------------------------------------------------- VM tag order */

/* lib/storage/metric_name.go commonTagKeys: these keys sort first, job-like
 * ones (\x00\x00\xNN) before instance-like ones (\x00\x01\xNN). */
static const struct {
    const char *key;
    uint8_t group, rank;
} vm_common[] = {
    {"namespace", 0, 0x00}, {"ns", 0, 0x01},      {"datacenter", 0, 0x08},
    {"dc", 0, 0x09},        {"environment", 0, 0x0c}, {"env", 0, 0x0d},
    {"cluster", 0, 0x10},   {"service", 0, 0x18}, {"job", 0, 0x20},
    {"model", 0, 0x28},     {"type", 0, 0x30},    {"sensor_type", 0, 0x38},
    {"SensorType", 0, 0x38}, {"db", 0, 0x40},     {"instance", 1, 0x00},
    {"host", 1, 0x08},      {"server", 1, 0x10},  {"pod", 1, 0x18},
    {"node", 1, 0x20},      {"device", 1, 0x28},  {"tenant", 1, 0x30},
    {"client", 1, 0x38},    {"name", 1, 0x40},    {"measurement", 1, 0x48},
};

typedef struct vm_tag {
    label l;
    bool common; /* sorts by code instead of its name */
    char code[3];
} vm_tag;

/* The key VictoriaMetrics sorts a tag by: a 3-byte code for the common
 * keys (also with the first letter upper-cased, as VictoriaMetrics adds
 * them), the name itself otherwise. */
static void vm_tag_init(vm_tag *t, label l)
{
    t->l = l;
    t->common = false;
    for (size_t i = 0; i < ST_ARRAY_LEN(vm_common); i++) {
        const char *k = vm_common[i].key;
        size_t n = strlen(k);
        if (l.name.n != n) continue;
        char first = k[0] >= 'a' && k[0] <= 'z' ? (char)(k[0] - 'a' + 'A') : k[0];
        if ((l.name.p[0] == k[0] || l.name.p[0] == first) &&
            memcmp(l.name.p + 1, k + 1, n - 1) == 0) {
            t->common = true;
            t->code[0] = 0;
            t->code[1] = (char)vm_common[i].group;
            t->code[2] = (char)vm_common[i].rank;
            return;
        }
    }
}

static st_slice vm_sort_key(const vm_tag *t)
{
    return t->common ? st_slice_of(t->code, 3) : t->l.name;
}

/* ------------------------------------------------------- JSON values */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

static void vm_float(st_buf *out, double v, bool first, unsigned flags)
{
    if (isnan(v)) {
        if (flags & EXPORT_JSON_STRICT) st_buf_put(out, "null", 4);
        else if (first) st_buf_put(out, "NaN", 3);
        else st_buf_put(out, "null", 4);
        return;
    }
    if (isinf(v)) {
        if (flags & EXPORT_JSON_STRICT) {
            if (v > 0) st_buf_put(out, "\"Infinity\"", 10);
            else st_buf_put(out, "\"-Infinity\"", 11);
        } else {
            if (v > 0) st_buf_put(out, "+Inf", 4);
            else st_buf_put(out, "-Inf", 4);
        }
        return;
    }
    /* quicktemplate QWriter.F: int(f) == f prints as an integer. */
    if (v >= -9223372036854775808.0 && v < 9223372036854775808.0 && v == (double)(int64_t)v)
        json_int(out, (int64_t)v);
    else
        json_float_go(out, v, 'f');
}

/* Is sample i the last of its millisecond? */
static bool last_in_ms(const codec_samples *s, size_t i)
{
    return i + 1 >= s->n ||
           floor_div(s->ts[i], ST_NS_PER_MS) != floor_div(s->ts[i + 1], ST_NS_PER_MS);
}

int export_json_series_ex(const uint8_t *key, size_t keylen, series_meta meta,
                          const codec_samples *s, unsigned flags, st_buf *out)
{
    if (meta.type == ST_VT_STRING || s->n == 0) return 0;
    if (meta.type < ST_VT_FLOAT || meta.type > ST_VT_BOOL) return ST_ECORRUPT;
    keylabels k;
    if (key_labels(key, keylen, &k)) return ST_ECORRUPT;

    vm_tag stack[32], *tags = k.n <= 32 ? stack : st_malloc(k.n * sizeof *tags);
    size_t nt = 0;
    st_slice name = {0};
    for (size_t i = 0; i < k.n; i++) {
        if (slice_is(k.ls[i].name, LABEL_METRIC_NAME)) {
            name = k.ls[i].value;
            continue;
        }
        vm_tag_init(&tags[nt++], k.ls[i]);
    }
    /* Stable insertion sort by the VictoriaMetrics key; ties keep key order
     * (VictoriaMetrics keeps arrival order there). */
    for (size_t i = 1; i < nt; i++) {
        vm_tag x = tags[i];
        size_t j = i;
        for (; j > 0 && st_slice_cmp(vm_sort_key(&tags[j - 1]), vm_sort_key(&x)) > 0; j--)
            tags[j] = tags[j - 1];
        tags[j] = x;
    }

    st_buf_put(out, "{\"metric\":{", 11);
    if (name.n) {
        st_buf_put(out, "\"__name__\":", 11);
        json_str_ex(out, name.p, name.n, JSON_ESC_QT);
        if (nt) st_buf_putc(out, ',');
    }
    for (size_t i = 0; i < nt; i++) {
        if (i) st_buf_putc(out, ',');
        json_str_ex(out, tags[i].l.name.p, tags[i].l.name.n, JSON_ESC_QT);
        st_buf_putc(out, ':');
        json_str_ex(out, tags[i].l.value.p, tags[i].l.value.n, JSON_ESC_QT);
    }
    st_buf_put(out, "},\"values\":[", 12);
    bool first = true;
    for (size_t i = 0; i < s->n; i++) {
        if (!last_in_ms(s, i)) continue;
        if (!first) st_buf_putc(out, ',');
        uint64_t v = s->vals[i];
        switch (meta.type) {
        case ST_VT_FLOAT: {
            double d;
            memcpy(&d, &v, 8);
            vm_float(out, d, first, flags);
            break;
        }
        case ST_VT_INT: json_int(out, (int64_t)v); break;
        case ST_VT_UINT: json_uint(out, v); break;
        default: st_buf_putc(out, v ? '1' : '0'); break;
        }
        first = false;
    }
    st_buf_put(out, "],\"timestamps\":[", 16);
    first = true;
    for (size_t i = 0; i < s->n; i++) {
        if (!last_in_ms(s, i)) continue;
        if (!first) st_buf_putc(out, ',');
        json_int(out, floor_div(s->ts[i], ST_NS_PER_MS));
        first = false;
    }
    st_buf_put(out, "]}\n", 3);
    if (tags != stack) st_free(tags);
    key_labels_free(&k);
    return 0;
}

int export_json_series(const uint8_t *key, size_t keylen, series_meta meta,
                       const codec_samples *s, st_buf *out)
{
    return export_json_series_ex(key, keylen, meta, s, 0, out);
}

/* ------------------------------------------------------- line protocol */

int export_line_series(const uint8_t *key, size_t keylen, series_meta meta,
                       const codec_samples *s, st_buf *out, st_err *e)
{
    if (meta.type < ST_VT_FLOAT || meta.type > ST_VT_STRING)
        return st_fail(e, ST_ECORRUPT, "unknown value type %u", meta.type);
    keylabels k;
    if (key_labels(key, keylen, &k)) return st_fail(e, ST_ECORRUPT, "malformed series key");
    st_buf what = {0};
    int rc = 0;
    st_slice name = {0};
    for (size_t i = 0; i < k.n; i++)
        if (slice_is(k.ls[i].name, LABEL_METRIC_NAME)) name = k.ls[i].value;
    st_slice table = st_slice_of(name.p, meta.table_len), column;
    if (!name.n || meta.table_len > name.n) {
        rc = st_fail(e, ST_ECORRUPT, "table length %u beyond the metric name", meta.table_len);
        goto done;
    }
    if (meta.table_len == name.n) {
        column = st_slice_cstr("value");
    } else {
        column = st_slice_of(name.p + meta.table_len + 1, name.n - meta.table_len - 1);
        if (name.p[meta.table_len] != '_' || slice_is(column, "value") || !column.n) {
            labels_format(k.ls, k.n, &what);
            rc = st_fail(e, ST_EINVAL,
                         "series %.*s: table and column do not map back to its name in line "
                         "protocol; export it as JSON",
                         (int)(what.len > 200 ? 200 : what.len), (const char *)what.p);
            goto done;
        }
    }
    bool ok = lp_measurement_ok(table) && lp_field_key_ok(column);
    for (size_t i = 0; ok && i < k.n; i++)
        if (!slice_is(k.ls[i].name, LABEL_METRIC_NAME))
            ok = lp_key_ok(k.ls[i].name) && lp_key_ok(k.ls[i].value);
    if (!ok) {
        labels_format(k.ls, k.n, &what);
        rc = st_fail(e, ST_EINVAL,
                     "series %.*s cannot be written as line protocol (a newline in a name or "
                     "value, or a table starting with '#' or a blank); export it as JSON",
                     (int)(what.len > 200 ? 200 : what.len), (const char *)what.p);
        goto done;
    }

    /* The part every line shares: "table,tags column=". */
    st_buf prefix = {0};
    lp_write_measurement(&prefix, table);
    for (size_t i = 0; i < k.n; i++) {
        if (slice_is(k.ls[i].name, LABEL_METRIC_NAME)) continue;
        st_buf_putc(&prefix, ',');
        lp_write_key(&prefix, k.ls[i].name);
        st_buf_putc(&prefix, '=');
        lp_write_key(&prefix, k.ls[i].value);
    }
    st_buf_putc(&prefix, ' ');
    lp_write_key(&prefix, column);
    st_buf_putc(&prefix, '=');
    for (size_t i = 0; i < s->n; i++) {
        st_buf_put(out, prefix.p, prefix.len);
        uint64_t v = s->vals ? s->vals[i] : 0;
        switch (meta.type) {
        case ST_VT_FLOAT: lp_write_float(out, v); break;
        case ST_VT_INT: lp_write_int(out, (int64_t)v); break;
        case ST_VT_UINT: lp_write_uint(out, v); break;
        case ST_VT_BOOL: lp_write_bool(out, v != 0); break;
        default: lp_write_string(out, s->strs[i]); break;
        }
        st_buf_putc(out, ' ');
        json_int(out, s->ts[i]);
        st_buf_putc(out, '\n');
    }
    st_buf_free(&prefix);
done:
    st_buf_free(&what);
    key_labels_free(&k);
    return rc;
}

/* ---------------------------------------------------------------- import */

static void note_error(import_stats *r, size_t lineno, int code, const char *msg)
{
    r->lines_bad++;
    if (r->first_error_line) return;
    r->first_error_line = lineno;
    r->first_error_code = code;
    snprintf(r->first_error, sizeof r->first_error, "line %zu: %.480s", lineno, msg);
}

static int finish(import_stats *r, st_err *e)
{
    if (!r->first_error_line) return 0;
    return st_fail(e, r->first_error_code, "%s", r->first_error);
}

/* Growable scratch shared by the lines of one import. */
typedef struct scratch {
    label *ls;
    size_t capls;
    double *vals;
    int64_t *ts;
    size_t capv, capt;
    uint32_t *handles;
    size_t caph;
    st_buf name;
    st_arena *arena;
} scratch;

static void scratch_free(scratch *x)
{
    st_free(x->ls);
    st_free(x->vals);
    st_free(x->ts);
    st_free(x->handles);
    st_buf_free(&x->name);
    st_arena_free(x->arena);
}

static label *scratch_labels(scratch *x, size_t n)
{
    if (n > x->capls) {
        x->capls = n < 16 ? 16 : n * 2;
        x->ls = st_realloc(x->ls, x->capls * sizeof *x->ls);
    }
    return x->ls;
}

static bool eq_fold(st_slice s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s.p[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != lit[i]) return false;
    }
    return true;
}

/* NaN / Inf spellings VictoriaMetrics accepts (bare through fastjson, or
 * quoted through getSpecialFloat64FromString). */
static bool vm_special(st_slice w, double *v)
{
    bool neg = false;
    if (w.n && (w.p[0] == '-' || w.p[0] == '+')) {
        neg = w.p[0] == '-';
        w.p++;
        w.n--;
    }
    if (eq_fold(w, "inf") || eq_fold(w, "infinity")) {
        *v = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (eq_fold(w, "nan") || eq_fold(w, "null")) {
        uint64_t bits = LP_NAN_BITS;
        memcpy(v, &bits, 8);
        return true;
    }
    return false;
}

static int read_vm_value(json_reader *jr, double *v, size_t pos, st_err *e)
{
    st_slice w;
    int rc;
    if (json_peek(jr) == '"') {
        if ((rc = json_read_string(jr, &w, e))) return rc;
        if (vm_special(w, v)) return 0;
        return st_fail(e, ST_EINVAL, "cannot unmarshal value at position %zu: unsupported string",
                       pos);
    }
    size_t at = json_offset(jr);
    if ((rc = json_read_word(jr, &w, e))) return rc;
    if (vm_special(w, v)) return 0;
    rc = json_parse_double(w.p, w.n, v);
    if (rc == 0) return 0;
    return st_fail(e, rc == -2 ? ST_ERANGE : ST_EINVAL,
                   "cannot unmarshal value at position %zu: %s %.*s at offset %zu", pos,
                   rc == -2 ? "out of range:" : "not a number:", (int)(w.n > 40 ? 40 : w.n), w.p,
                   at);
}

static int label_name_cmp(const void *a, const void *b, void *arg)
{
    const label *ls = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int r = st_slice_cmp(ls[x].name, ls[y].name);
    return r ? r : (x < y ? -1 : 1);
}

/* A repeated label keeps its last value (VictoriaMetrics's sortTags). */
static size_t dedupe_labels(label *ls, size_t n)
{
    bool dup = false;
    for (size_t i = 0; i < n && !dup; i++)
        for (size_t j = i + 1; j < n && j < i + 64 && !dup; j++)
            dup = st_slice_eq(ls[i].name, ls[j].name);
    if (!dup && n <= 64) return n;
    uint32_t *ix = st_malloc(n * sizeof *ix);
    for (size_t i = 0; i < n; i++) ix[i] = (uint32_t)i;
    qsort_r(ix, n, sizeof *ix, label_name_cmp, ls);
    bool *drop = st_calloc(n, 1);
    for (size_t i = 0; i + 1 < n; i++)
        if (st_slice_eq(ls[ix[i]].name, ls[ix[i + 1]].name)) drop[ix[i]] = true;
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!drop[i]) ls[w++] = ls[i];
    st_free(drop);
    st_free(ix);
    return w;
}

static int json_line(const char *p, size_t n, store_batch *b, import_stats *r, scratch *x,
                     st_err *e)
{
    json_reader jr;
    json_reader_init(&jr, p, n, x->arena);
    size_t nl = 0, nv = 0, nts = 0;
    bool have_metric = false, have_values = false, have_ts = false;
    st_slice k;
    int rc;
    if ((rc = json_expect(&jr, '{', e))) return rc;
    if (!json_accept(&jr, '}')) {
        for (;;) {
            if ((rc = json_read_string(&jr, &k, e)) || (rc = json_expect(&jr, ':', e))) return rc;
            if (slice_is(k, "metric") && !have_metric) {
                have_metric = true;
                if ((rc = json_expect(&jr, '{', e))) return rc;
                if (!json_accept(&jr, '}')) {
                    for (;;) {
                        st_slice ln, lv;
                        if ((rc = json_read_string(&jr, &ln, e)) ||
                            (rc = json_expect(&jr, ':', e)))
                            return rc;
                        if (json_peek(&jr) != '"')
                            return st_fail(e, ST_EINVAL,
                                           "value of label \"%.*s\" in `metric` is not a string",
                                           (int)(ln.n > 100 ? 100 : ln.n), ln.p);
                        if ((rc = json_read_string(&jr, &lv, e))) return rc;
                        if (ln.n) { /* VictoriaMetrics skips empty names */
                            label *ls = scratch_labels(x, nl + 1);
                            ls[nl].name = ln;
                            ls[nl].value = lv;
                            nl++;
                        }
                        if (json_accept(&jr, ',')) continue;
                        if ((rc = json_expect(&jr, '}', e))) return rc;
                        break;
                    }
                }
            } else if ((slice_is(k, "values") && !have_values) ||
                       (slice_is(k, "timestamps") && !have_ts)) {
                bool vals = k.p[0] == 'v';
                if (vals) have_values = true;
                else have_ts = true;
                if ((rc = json_expect(&jr, '[', e))) return rc;
                size_t cnt = 0;
                if (!json_accept(&jr, ']')) {
                    for (;;) {
                        if (vals) {
                            if (cnt == x->capv) {
                                x->capv = x->capv ? x->capv * 2 : 256;
                                x->vals = st_realloc(x->vals, x->capv * sizeof *x->vals);
                            }
                            if ((rc = read_vm_value(&jr, &x->vals[cnt], cnt, e))) return rc;
                        } else {
                            if (cnt == x->capt) {
                                x->capt = x->capt ? x->capt * 2 : 256;
                                x->ts = st_realloc(x->ts, x->capt * sizeof *x->ts);
                            }
                            st_slice w;
                            int64_t ms;
                            size_t at = json_offset(&jr);
                            if ((rc = json_read_word(&jr, &w, e))) return rc;
                            if (!json_parse_int64(w, &ms))
                                return st_fail(e, ST_EINVAL,
                                               "cannot unmarshal timestamp at position %zu: "
                                               "%.*s at offset %zu is not an int64",
                                               cnt, (int)(w.n > 40 ? 40 : w.n), w.p, at);
                            if (__builtin_mul_overflow(ms, ST_NS_PER_MS, &x->ts[cnt]))
                                return st_fail(e, ST_ERANGE,
                                               "timestamp %lld ms at position %zu is out of range",
                                               (long long)ms, cnt);
                        }
                        cnt++;
                        if (json_accept(&jr, ',')) continue;
                        if ((rc = json_expect(&jr, ']', e))) return rc;
                        break;
                    }
                }
                if (vals) nv = cnt;
                else nts = cnt;
            } else {
                if ((rc = json_skip_value(&jr, e))) return rc;
            }
            if (json_accept(&jr, ',')) continue;
            if ((rc = json_expect(&jr, '}', e))) return rc;
            break;
        }
    }
    if ((rc = json_expect_end(&jr, e))) return rc;
    if (!have_metric) return st_fail(e, ST_EINVAL, "missing `metric` object");
    if (!nv) return st_fail(e, ST_EINVAL, "missing `values` array");
    if (!nts) return st_fail(e, ST_EINVAL, "missing `timestamps` array");
    if (nv != nts)
        return st_fail(e, ST_EINVAL,
                       "`timestamps` array size must match `values` array size; got %zu; want %zu",
                       nts, nv);
    nl = dedupe_labels(x->ls, nl);
    st_slice name = {0};
    for (size_t i = 0; i < nl; i++)
        if (slice_is(x->ls[i].name, LABEL_METRIC_NAME)) name = x->ls[i].value;
    if (!name.n) return st_fail(e, ST_EINVAL, "missing __name__ in `metric`");
    if (name.n > UINT16_MAX)
        return st_fail(e, ST_EINVAL, "metric name longer than %u bytes", UINT16_MAX);
    series_meta meta = {.type = ST_VT_FLOAT, .table_len = (uint16_t)name.n};
    uint32_t h;
    if ((rc = store_batch_series(b, x->ls, nl, meta, &h, e))) return rc;
    r->series++;
    for (size_t i = 0; i < nv; i++) {
        uint64_t bits;
        memcpy(&bits, &x->vals[i], 8);
        store_batch_add(b, h, x->ts[i], bits);
    }
    r->samples += nv;
    return 0;
}

int import_json(const char *body, size_t len, store_batch *b, import_stats *r, st_err *e)
{
    memset(r, 0, sizeof *r);
    scratch x = {0};
    x.arena = st_arena_new(4096);
    /* an empty body may come as NULL: no arithmetic on it */
    const char *p = body, *end = len ? body + len : body;
    size_t lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *s = p, *t = le;
        p = nl ? nl + 1 : end;
        while (s < t && (*s == ' ' || *s == '\t' || *s == '\r')) s++;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r')) t--;
        if (s == t) continue;
        r->lines++;
        st_err le_err;
        int rc = json_line(s, (size_t)(t - s), b, r, &x, &le_err);
        if (rc) note_error(r, lineno, rc, le_err.msg);
        st_arena_reset(x.arena);
    }
    scratch_free(&x);
    return finish(r, e);
}

/* Series handles of one import_line call, keyed by the line's raw key
 * bytes, the field key and the type: lines repeat their series (an export
 * writes one line per sample), and a hit skips the labels' sorting,
 * validation and key building. Open addressing; the keys point into the
 * body, which outlives the call. */
typedef struct hcache_ent {
    uint64_t hash;
    const char *key;
    uint32_t keylen, handle;
    st_slice field;
    uint8_t type;
} hcache_ent;

typedef struct hcache {
    hcache_ent *e;
    size_t n, cap;
} hcache;

static hcache_ent *hcache_find(hcache *c, uint64_t h, st_slice key, st_slice field, uint8_t type)
{
    if ((c->n + 1) * 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        hcache_ent *t = st_calloc(cap, sizeof *t);
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->e[i].key) continue;
            size_t j = c->e[i].hash & (cap - 1);
            while (t[j].key) j = (j + 1) & (cap - 1);
            t[j] = c->e[i];
        }
        st_free(c->e);
        c->e = t;
        c->cap = cap;
    }
    size_t j = h & (c->cap - 1);
    for (;; j = (j + 1) & (c->cap - 1)) {
        hcache_ent *x = &c->e[j];
        if (!x->key) return x; /* empty: the caller fills it */
        if (x->hash == h && x->type == type && x->keylen == key.n && st_slice_eq(x->field, field) &&
            memcmp(x->key, key.p, key.n) == 0)
            return x;
    }
}

/* The type the batch already gives the series of ls, after
 * store_batch_series said it conflicts with want: the one type that adds
 * without a conflict. Error path only (a few more lookups). */
static uint8_t batch_type_of(store_batch *b, label *ls, size_t n, series_meta want)
{
    for (uint8_t t = ST_VT_FLOAT; t <= ST_VT_STRING; t++) {
        if (t == want.type) continue;
        series_meta m = {.type = t, .table_len = want.table_len};
        uint32_t h;
        if (store_batch_series(b, ls, n, m, &h, NULL) == 0) return t;
    }
    return 0;
}

static void reject_line(import_stats *r, const import_line_opts *o, const lp_line *L,
                        import_reject why, int code, const char *msg)
{
    size_t lineno = L->lineno + (o->first_lineno ? o->first_lineno - 1 : 0);
    r->rejected[why]++;
    note_error(r, lineno, code, msg);
    if (o->on_reject) o->on_reject(o->ctx, lineno, why, code, msg);
}

static void defer_line(const import_line_opts *o, const char *body, const lp_line *L)
{
    import_spans *d = o->defer;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = st_realloc(d->v, d->cap * sizeof *d->v);
    }
    d->v[d->n++] = (import_span){.off = (size_t)(L->raw.p - body), .len = L->raw.n,
                                 .lineno = L->lineno + (o->first_lineno ? o->first_lineno - 1 : 0)};
}

int import_line(const char *body, size_t len, lp_precision precision, int64_t now_ns,
                store_batch *b, import_stats *r, st_err *e)
{
    import_line_opts o = {.precision = precision, .now_ns = now_ns};
    return import_line_ex(body, len, &o, b, r, e);
}

int import_line_ex(const char *body, size_t len, const import_line_opts *o, store_batch *b,
                   import_stats *r, st_err *e)
{
    memset(r, 0, sizeof *r);
    scratch x = {0};
    x.arena = st_arena_new(4096);
    lp_parser *P = lp_parser_new();
    lp_opts lo = {.precision = o->precision, .extensions = !o->influx};
    lp_reset(P, body, len, &lo, x.arena);
    int64_t mult = lp_precision_ns(o->precision);
    int64_t now = o->now_ns - (o->now_ns % mult + mult) % mult;
    lp_line L;
    st_err le;
    int rc;
    hcache cache = {0};
    while ((rc = lp_next(P, &L, &le)) != 0) {
        r->lines++;
        if (rc < 0) {
            reject_line(r, o, &L, rc == ST_ERANGE ? IMPORT_REJ_RANGE : IMPORT_REJ_SYNTAX, rc, le.msg);
            continue;
        }
        int64_t ts = L.has_ts ? L.ts : now;
        if (L.nfields > x.caph) {
            x.caph = L.nfields * 2;
            x.handles = st_realloc(x.handles, x.caph * sizeof *x.handles);
        }
        rc = 0;
        import_reject why = IMPORT_REJ_INVALID;
        bool worded = false; /* le already reads as InfluxDB words it */
        bool tags_checked = false;
        size_t skipped = 0;
        uint64_t kh = st_hash64(L.key.p, L.key.n, 0);
        for (size_t i = 0; i < L.nfields && !rc; i++) {
            const lp_field *f = &L.fields[i];
            if (o->influx && slice_is(f->key, "time")) {
                /* InfluxQL's time column: InfluxDB drops such a field */
                x.handles[i] = UINT32_MAX;
                skipped++;
                continue;
            }
            if (f->type == ST_VT_STRING && !utf8_valid(f->str.p, f->str.n)) {
                rc = st_fail(&le, ST_EINVAL, "invalid UTF-8 in string field \"%.*s\"",
                             (int)(f->key.n > 100 ? 100 : f->key.n), f->key.p);
                break;
            }
            series_meta meta = {.type = f->type, .table_len = (uint16_t)L.measurement.n};
            uint64_t h;
            hcache_ent *ce = NULL;
            if (o->cache) {
                /* a conflict on a hit takes the long way below, which
                 * words it with the labels at hand */
                int hrc;
                h = st_hash64(f->key.p, f->key.n, kh);
                if (o->cache->add(o->cache->ctx, h, L.key, f->key, meta, b, &x.handles[i], &hrc, &le) &&
                    hrc == 0)
                    continue;
            } else {
                h = st_hash64(f->key.p, f->key.n, kh ^ f->type);
                ce = hcache_find(&cache, h, L.key, f->key, f->type);
                if (ce->key) {
                    x.handles[i] = ce->handle;
                    continue;
                }
            }
            if (o->influx && !tags_checked) {
                /* a hit above means the key passed this check already */
                tags_checked = true;
                for (size_t t = 0; t < L.ntags && !rc; t++)
                    if (slice_is(L.tags[t].name, "time"))
                        rc = st_fail(&le, ST_EINVAL,
                                     "invalid tag key: input tag \"time\" on measurement \"%.*s\" is invalid",
                                     (int)(L.measurement.n > 200 ? 200 : L.measurement.n), L.measurement.p);
                if (rc) {
                    worded = true;
                    break;
                }
            }
            x.name.len = 0;
            st_buf_put(&x.name, L.measurement.p, L.measurement.n);
            if (!slice_is(f->key, "value")) {
                st_buf_putc(&x.name, '_');
                st_buf_put(&x.name, f->key.p, f->key.n);
            }
            label *ls = scratch_labels(&x, L.ntags + 1);
            if (L.ntags) memcpy(ls, L.tags, L.ntags * sizeof *ls);
            ls[L.ntags].name = st_slice_cstr(LABEL_METRIC_NAME);
            ls[L.ntags].value = st_slice_of((const char *)x.name.p, x.name.len);
            size_t nl = L.ntags + 1;
            rc = store_batch_series(b, ls, nl, meta, &x.handles[i], &le);
            if (!rc && ce) {
                /* the field key may live in the arena, reset per call only */
                *ce = (hcache_ent){.hash = h, .key = L.key.p, .keylen = (uint32_t)L.key.n,
                                   .handle = x.handles[i], .field = f->key, .type = f->type};
                cache.n++;
            } else if (!rc) {
                const uint8_t *key;
                size_t keylen;
                uint64_t keyhash;
                store_batch_key(b, x.handles[i], &key, &keylen, &keyhash);
                o->cache->put(o->cache->ctx, h, L.key, f->key, key, keylen, keyhash);
            } else if (rc == ST_ECONFLICT && o->defer) {
                break;
            } else if (rc == ST_ECONFLICT) {
                why = IMPORT_REJ_CONFLICT;
                uint8_t have = o->influx ? batch_type_of(b, ls, nl, meta) : 0;
                if (have)
                    st_fail(&le, ST_ECONFLICT,
                            "field type conflict: input field \"%.*s\" on measurement \"%.*s\" is "
                            "type %s, already exists as type %s",
                            (int)(f->key.n > 200 ? 200 : f->key.n), f->key.p,
                            (int)(L.measurement.n > 200 ? 200 : L.measurement.n), L.measurement.p,
                            st_vtype_name((st_vtype)f->type), st_vtype_name((st_vtype)have));
                worded = true;
            } else if (o->influx) {
                for (size_t t = 0; t < L.ntags; t++)
                    if (slice_is(L.tags[t].name, LABEL_METRIC_NAME))
                        st_fail(&le, ST_EINVAL, "tag key \"%s\" is reserved: it holds the series name",
                                LABEL_METRIC_NAME);
            }
        }
        if (!rc && skipped == L.nfields) {
            rc = st_fail(&le, ST_EINVAL,
                         "invalid field name: input field \"time\" on measurement \"%.*s\" is invalid",
                         (int)(L.measurement.n > 200 ? 200 : L.measurement.n), L.measurement.p);
            worded = true;
        }
        if (rc == ST_ECONFLICT && o->defer) {
            defer_line(o, body, &L);
            continue;
        }
        if (rc) {
            if (o->influx && !worded) {
                /* InfluxDB parses these; say which line, in its words */
                char msg[ST_ERR_MSG];
                int n = (int)(L.raw.n > 200 ? 200 : L.raw.n);
                snprintf(msg, sizeof msg, "unable to parse '%.*s%s': %.280s", n, L.raw.p,
                         L.raw.n > 200 ? "..." : "", le.msg);
                reject_line(r, o, &L, why, rc, msg);
            } else {
                reject_line(r, o, &L, why, rc, le.msg);
            }
            continue;
        }
        for (size_t i = 0; i < L.nfields; i++) {
            const lp_field *f = &L.fields[i];
            if (x.handles[i] == UINT32_MAX) continue;
            if (f->type == ST_VT_STRING) store_batch_add_str(b, x.handles[i], ts, f->str);
            else store_batch_add(b, x.handles[i], ts, f->bits);
        }
        r->series += L.nfields - skipped;
        r->samples += L.nfields - skipped;
    }
    st_free(cache.e);
    lp_parser_free(P);
    scratch_free(&x);
    return finish(r, e);
}

int import_gunzip(const uint8_t *in, size_t n, uint64_t max, st_buf *out, st_err *e)
{
    if (n == 0) return 0; /* an empty body, as without Content-Encoding (and `in` may be NULL) */
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return st_fail(e, ST_EIO, "cannot start gzip");
    const uint8_t *end = in + n;
    int rc = 0;
    z.next_in = (Bytef *)in;
    for (;;) {
        /* zlib counts in uInt: feed at most 1 GiB at a time */
        if (z.avail_in == 0 && z.next_in < end) {
            size_t left = (size_t)(end - z.next_in);
            z.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
        }
        st_buf_reserve(out, 64 * 1024);
        size_t room = out->cap - out->len;
        z.next_out = out->p + out->len;
        z.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
        uInt before = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        out->len += before - z.avail_out;
        if (out->len > max) {
            rc = st_fail(e, ST_ELIMIT, "decompressed body is larger than --max-decoded-size (%llu bytes)",
                         (unsigned long long)max);
            break;
        }
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0 && z.next_in >= end) break;
            if (inflateReset(&z) != Z_OK) {
                rc = st_fail(e, ST_EINVAL, "invalid gzip body");
                break;
            }
            continue;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = st_fail(e, ST_EINVAL, "invalid gzip body: %s", z.msg ? z.msg : "corrupt data");
            break;
        }
        if (zr == Z_BUF_ERROR && z.avail_in == 0 && z.next_in >= end) {
            rc = st_fail(e, ST_EINVAL, "invalid gzip body: truncated");
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}
