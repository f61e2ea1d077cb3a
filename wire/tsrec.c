/* tsrec: Timestream's WriteRecords request (see tsrec.h). */
#include "tsrec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "json.h"

const char *tsrec_type_name(tsrec_type t)
{
    static const char *const n[] = {"DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "TIMESTAMP", "MULTI"};
    return (unsigned)t <= TSREC_MULTI ? n[t] : "?";
}

static bool slice_is(st_slice s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && !memcmp(s.p, lit, n);
}

static int parse_type(st_slice s, tsrec_type *out)
{
    for (int t = TSREC_DOUBLE; t <= TSREC_MULTI; t++)
        if (slice_is(s, tsrec_type_name((tsrec_type)t))) {
            *out = (tsrec_type)t;
            return 0;
        }
    return -1;
}

/* ns per unit, or 0 for an unknown unit */
static int64_t unit_ns(st_slice s)
{
    if (slice_is(s, "MILLISECONDS")) return 1000000;
    if (slice_is(s, "SECONDS")) return 1000000000;
    if (slice_is(s, "MICROSECONDS")) return 1000;
    if (slice_is(s, "NANOSECONDS")) return 1;
    return 0;
}

/* A record's members as sent, before the merge (NULL: absent). */
typedef struct raw {
    const json_node *dims, *mname, *mvalue, *mtype, *time, *unit, *version, *mvalues;
} raw;

static const char *type_word(json_kind k)
{
    static const char *const n[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    return n[k];
}

/* The shape of one member, as the service's model validates it. */
static int want(const json_node *v, json_kind k, const char *where, const char *member, st_err *e)
{
    if (!v || v->kind == k || v->kind == JSON_NULL) return 0;
    return st_fail(e, ST_EINVAL, "%s.%s must be %s, not %s", where, member, type_word(k), type_word(v->kind));
}

static int read_raw(const json_node *o, const char *where, raw *r, st_err *e)
{
    memset(r, 0, sizeof *r);
    if (o->kind != JSON_OBJECT) return st_fail(e, ST_EINVAL, "%s must be an object", where);
    r->dims = json_tree_get(o, "Dimensions");
    r->mname = json_tree_get(o, "MeasureName");
    r->mvalue = json_tree_get(o, "MeasureValue");
    r->mtype = json_tree_get(o, "MeasureValueType");
    r->time = json_tree_get(o, "Time");
    r->unit = json_tree_get(o, "TimeUnit");
    r->version = json_tree_get(o, "Version");
    r->mvalues = json_tree_get(o, "MeasureValues");
    int rc;
    if ((rc = want(r->dims, JSON_ARRAY, where, "Dimensions", e)) || (rc = want(r->mname, JSON_STRING, where, "MeasureName", e)) ||
        (rc = want(r->mvalue, JSON_STRING, where, "MeasureValue", e)) ||
        (rc = want(r->mtype, JSON_STRING, where, "MeasureValueType", e)) ||
        (rc = want(r->time, JSON_STRING, where, "Time", e)) || (rc = want(r->unit, JSON_STRING, where, "TimeUnit", e)) ||
        (rc = want(r->version, JSON_NUMBER, where, "Version", e)) ||
        (rc = want(r->mvalues, JSON_ARRAY, where, "MeasureValues", e)))
        return rc;
    /* nulls count as absent */
    const json_node **all[] = {&r->dims, &r->mname, &r->mvalue, &r->mtype, &r->time, &r->unit, &r->version, &r->mvalues};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (*all[i] && (*all[i])->kind == JSON_NULL) *all[i] = NULL;
    tsrec_type t;
    if (r->mtype && parse_type(r->mtype->s, &t))
        return st_fail(e, ST_EINVAL,
                       "1 validation error detected: Value '%.*s' at '%s.measureValueType' failed to satisfy "
                       "constraint: Member must satisfy enum value set: [DOUBLE, BIGINT, VARCHAR, BOOLEAN, "
                       "TIMESTAMP, MULTI]",
                       (int)(r->mtype->s.n > 64 ? 64 : r->mtype->s.n), r->mtype->s.p, where);
    if (r->unit && !unit_ns(r->unit->s))
        return st_fail(e, ST_EINVAL,
                       "1 validation error detected: Value '%.*s' at '%s.timeUnit' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [MILLISECONDS, SECONDS, MICROSECONDS, NANOSECONDS]",
                       (int)(r->unit->s.n > 64 ? 64 : r->unit->s.n), r->unit->s.p, where);
    return 0;
}

/* Names Timestream keeps for itself, and those Strata's mapping keeps
 * (tsrec.h): "::" (measure_value::double, a::timestamp name columns) and a
 * leading "__" (__name__ and Prometheus's other internal labels). */
static bool reserved(st_slice s)
{
    if (slice_is(s, "measure_value") || slice_is(s, "ts_non_existent_col") || slice_is(s, "time") ||
        (s.n >= 3 && !memcmp(s.p, "ts_", 3)) || (s.n >= 12 && !memcmp(s.p, "measure_name", 12)) ||
        (s.n >= 2 && !memcmp(s.p, "__", 2)))
        return true;
    for (size_t i = 0; i + 1 < s.n; i++)
        if (s.p[i] == ':' && s.p[i + 1] == ':') return true;
    return false;
}

static bool valid_utf8(st_slice s)
{
    const uint8_t *p = (const uint8_t *)s.p;
    for (size_t i = 0; i < s.n;) {
        uint8_t c = p[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (!len || i + len > s.n || (len == 2 && c < 0xc2)) return false;
        for (size_t k = 1; k < len; k++)
            if ((p[i + k] & 0xc0) != 0x80) return false;
        i += len;
    }
    return true;
}

/* A value of a scalar type from its text; NULL or the reason. */
static const char *parse_value(st_arena *a, st_slice name, tsrec_type t, st_slice text, int64_t unit, tsrec_value *v)
{
    v->name = name;
    v->type = t;
    if (text.n == 0 || text.n > TSREC_VALUE_MAX)
        return st_arena_printf(a, "Measure value for measure name '%.*s' must be 1 to %d bytes long.", (int)name.n, name.p,
                       TSREC_VALUE_MAX);
    switch (t) {
    case TSREC_DOUBLE: {
        double d;
        if (json_parse_double(text.p, text.n, &d) != 0 || !isfinite(d))
            return st_arena_printf(a, "Invalid measure value '%.*s' for measure name '%.*s' of type DOUBLE.", (int)text.n,
                           text.p, (int)name.n, name.p);
        memcpy(&v->bits, &d, 8);
        return NULL;
    }
    case TSREC_BIGINT:
    case TSREC_TIMESTAMP: {
        int64_t i;
        if (!json_parse_int64(text, &i))
            return st_arena_printf(a, "Invalid measure value '%.*s' for measure name '%.*s' of type %s.", (int)text.n, text.p,
                           (int)name.n, name.p, tsrec_type_name(t));
        if (t == TSREC_TIMESTAMP) {
            if (i < 0 || i > INT64_MAX / unit)
                return st_arena_printf(a, "Timestamp measure value '%.*s' for measure name '%.*s' is out of range.",
                               (int)text.n, text.p, (int)name.n, name.p);
            i *= unit;
        }
        v->bits = (uint64_t)i;
        return NULL;
    }
    case TSREC_BOOLEAN:
        if (text.n == 4 && !strncasecmp(text.p, "true", 4)) v->bits = 1;
        else if (text.n == 5 && !strncasecmp(text.p, "false", 5)) v->bits = 0;
        else
            return st_arena_printf(a, "Invalid measure value '%.*s' for measure name '%.*s' of type BOOLEAN.", (int)text.n,
                           text.p, (int)name.n, name.p);
        return NULL;
    case TSREC_VARCHAR:
        if (!valid_utf8(text)) return st_arena_printf(a, "Measure value for measure name '%.*s' is not valid UTF-8.", (int)name.n, name.p);
        v->str = text;
        return NULL;
    default: return st_arena_printf(a, "Invalid measure value type.");
    }
}

/* Dimensions of a list into r (appended), checking each; ST_EINVAL for the
 * request's shape, or the record's reason in *why. */
static int add_dims(st_arena *a, const json_node *list, const char *where, tsrec *r, size_t cap, const char **why,
                    st_err *e)
{
    size_t own = r->ndims; /* dims before this list's: CommonAttributes' */
    for (size_t i = 0; list && i < list->n; i++) {
        const json_node *d = &list->items[i];
        if (d->kind != JSON_OBJECT) return st_fail(e, ST_EINVAL, "%s.Dimensions[%zu] must be an object", where, i);
        const json_node *nm = json_tree_get(d, "Name"), *val = json_tree_get(d, "Value"),
                        *vt = json_tree_get(d, "DimensionValueType");
        if (!nm || nm->kind != JSON_STRING || !val || val->kind != JSON_STRING)
            return st_fail(e, ST_EINVAL, "%s.Dimensions[%zu]: Name and Value are required strings", where, i);
        if (vt && vt->kind != JSON_NULL && !(vt->kind == JSON_STRING && slice_is(vt->s, "VARCHAR")))
            return st_fail(e, ST_EINVAL,
                           "1 validation error detected: Value at '%s.dimensions.%zu.member.dimensionValueType' failed "
                           "to satisfy constraint: Member must satisfy enum value set: [VARCHAR]",
                           where, i + 1);
        for (size_t k = 0; k < r->ndims; k++)
            if (st_slice_eq(r->dims[k].name, nm->s)) {
                if (k >= own)
                    return st_fail(e, ST_EINVAL, "Dimension '%.*s' is given twice in a record", (int)nm->s.n, nm->s.p);
                return st_fail(e, ST_EINVAL,
                               "Dimension '%.*s' is given both in CommonAttributes and in a record: a dimension may be "
                               "given in one of them only",
                               (int)nm->s.n, nm->s.p);
            }
        if (*why) continue;
        if (r->ndims == cap) {
            *why = st_arena_printf(a, "A record may have at most %d dimensions.", TSREC_MAX_DIMS);
            continue;
        }
        if (nm->s.n == 0 || nm->s.n > TSREC_DIM_NAME_MAX || !valid_utf8(nm->s))
            *why = st_arena_printf(a, "Dimension name '%.*s' must be 1 to %d bytes of UTF-8.", (int)(nm->s.n > 80 ? 80 : nm->s.n),
                           nm->s.p, TSREC_DIM_NAME_MAX);
        else if (reserved(nm->s))
            *why = st_arena_printf(a, "Dimension name '%.*s' is reserved.", (int)nm->s.n, nm->s.p);
        else if (val->s.n == 0 || val->s.n > TSREC_VALUE_MAX || !valid_utf8(val->s))
            *why = st_arena_printf(a, "Dimension value for dimension '%.*s' must be 1 to %d bytes of UTF-8.", (int)nm->s.n,
                           nm->s.p, TSREC_VALUE_MAX);
        r->dims[r->ndims++] = (label){.name = nm->s, .value = val->s};
    }
    return 0;
}

/* One record merged with the common attributes. */
static int build(st_arena *a, const raw *c, const json_node *recnode, tsrec *r, st_err *e)
{
    raw x;
    int rc = read_raw(recnode, "record", &x, e);
    if (rc) return rc;
    memset(r, 0, sizeof *r);
    size_t nd = (c->dims ? c->dims->n : 0) + (x.dims ? x.dims->n : 0);
    r->dims = st_arena_alloc(a, (nd ? nd : 1) * sizeof *r->dims);
    size_t cap = nd < TSREC_MAX_DIMS ? nd : TSREC_MAX_DIMS;
    const char *why = NULL;
    if ((rc = add_dims(a, c->dims, "CommonAttributes", r, cap, &why, e)) || (rc = add_dims(a, x.dims, "record", r, cap, &why, e)))
        return rc;
    const json_node *mname = x.mname ? x.mname : c->mname, *mvalue = x.mvalue ? x.mvalue : c->mvalue;
    const json_node *mtype = x.mtype ? x.mtype : c->mtype, *time = x.time ? x.time : c->time;
    const json_node *unit = x.unit ? x.unit : c->unit, *version = x.version ? x.version : c->version;
    const json_node *mvalues = x.mvalues ? x.mvalues : c->mvalues;
    r->type = TSREC_DOUBLE;
    if (mtype) parse_type(mtype->s, &r->type);
    int64_t un = unit ? unit_ns(unit->s) : 1000000;
    r->version = 1;
    if (version && (!json_parse_int64(version->s, &r->version) || r->version < 1)) {
        if (!why) why = st_arena_printf(a, "Version must be a whole number of at least 1, not %.*s.", (int)version->s.n, version->s.p);
        r->version = 1;
    }
    if (!why && !mname) why = st_arena_printf(a, "MeasureName is required.");
    if (mname) r->measure = mname->s;
    if (!why && (r->measure.n == 0 || r->measure.n > TSREC_MEASURE_NAME_MAX || !valid_utf8(r->measure)))
        why = st_arena_printf(a, "Measure name must be 1 to %d bytes of UTF-8.", TSREC_MEASURE_NAME_MAX);
    if (!why && reserved(r->measure)) why = st_arena_printf(a, "Measure name '%.*s' is reserved.", (int)r->measure.n, r->measure.p);
    if (!why && !time) why = st_arena_printf(a, "Time is required.");
    if (!why) {
        int64_t t;
        if (!json_parse_int64(time->s, &t) || t < 0 || t > INT64_MAX / un)
            why = st_arena_printf(a, "Invalid time '%.*s' for time unit %s.", (int)(time->s.n > 40 ? 40 : time->s.n),
                                  time->s.p, unit ? (un == 1 ? "NANOSECONDS" : un == 1000 ? "MICROSECONDS"
                                                     : un == 1000000 ? "MILLISECONDS" : "SECONDS")
                                                  : "MILLISECONDS");
        else r->time_ns = t * un;
    }
    if (!why && r->type == TSREC_MULTI) {
        if (mvalue) why = st_arena_printf(a, "MeasureValue must not be given for a MULTI record: use MeasureValues.");
        else if (!mvalues || mvalues->n == 0) why = st_arena_printf(a, "A MULTI record needs MeasureValues.");
        else if (mvalues->n > TSREC_MAX_MULTI)
            why = st_arena_printf(a, "A MULTI record may have at most %d measure values.", TSREC_MAX_MULTI);
    } else if (!why) {
        if (mvalues) why = st_arena_printf(a, "MeasureValues are only for MULTI records.");
        else if (r->type == TSREC_TIMESTAMP) why = st_arena_printf(a, "TIMESTAMP is an invalid measure value type");
        else if (!mvalue) why = st_arena_printf(a, "MeasureValue is required.");
    }
    if (mvalues) { /* the shapes are checked whatever the record's fate */
        for (size_t i = 0; i < mvalues->n; i++) {
            const json_node *m = &mvalues->items[i];
            const json_node *nm = json_tree_get(m, "Name"), *val = json_tree_get(m, "Value"), *ty = json_tree_get(m, "Type");
            tsrec_type t;
            if (m->kind != JSON_OBJECT || !nm || nm->kind != JSON_STRING || !val || val->kind != JSON_STRING || !ty ||
                ty->kind != JSON_STRING)
                return st_fail(e, ST_EINVAL, "MeasureValues[%zu]: Name, Value and Type are required strings", i);
            if (parse_type(ty->s, &t) || t == TSREC_MULTI)
                return st_fail(e, ST_EINVAL,
                               "1 validation error detected: Value '%.*s' at 'measureValues.%zu.member.type' failed to "
                               "satisfy constraint: Member must satisfy enum value set: [DOUBLE, BIGINT, VARCHAR, "
                               "BOOLEAN, TIMESTAMP]",
                               (int)(ty->s.n > 64 ? 64 : ty->s.n), ty->s.p, i + 1);
        }
    }
    if (!why && r->type == TSREC_MULTI) {
        r->nvals = mvalues->n;
        r->vals = st_arena_alloc(a, r->nvals * sizeof *r->vals);
        size_t bytes = 0;
        for (size_t i = 0; i < r->nvals && !why; i++) {
            const json_node *m = &mvalues->items[i];
            st_slice nm = json_tree_get(m, "Name")->s, val = json_tree_get(m, "Value")->s;
            tsrec_type t;
            parse_type(json_tree_get(m, "Type")->s, &t);
            bytes += val.n;
            if (nm.n == 0 || nm.n > TSREC_MEASURE_NAME_MAX || !valid_utf8(nm))
                why = st_arena_printf(a, "Measure value name must be 1 to %d bytes of UTF-8.", TSREC_MEASURE_NAME_MAX);
            else if (reserved(nm))
                why = st_arena_printf(a, "Measure value name '%.*s' is reserved.", (int)nm.n, nm.p);
            else if (bytes > TSREC_VALUE_MAX)
                why = st_arena_printf(a, "The measure values of a MULTI record may hold at most %d bytes.", TSREC_VALUE_MAX);
            else
                why = parse_value(a, nm, t, val, un, &r->vals[i]);
            for (size_t k = 0; k < i && !why; k++)
                if (st_slice_eq(r->vals[k].name, nm))
                    why = st_arena_printf(a, "Measure value name '%.*s' is given twice.", (int)nm.n, nm.p);
        }
    } else if (!why) {
        r->nvals = 1;
        r->vals = st_arena_alloc(a, sizeof *r->vals);
        why = parse_value(a, r->measure, r->type, mvalue->s, un, &r->vals[0]);
    }
    /* a dimension and a measure may not share a name */
    for (size_t i = 0; !why && i < r->ndims; i++) {
        if (r->type != TSREC_MULTI && st_slice_eq(r->dims[i].name, r->measure))
            why = st_arena_printf(a, "Dimension '%.*s' has the name of the measure.", (int)r->measure.n, r->measure.p);
        for (size_t k = 0; r->type == TSREC_MULTI && k < r->nvals && !why; k++)
            if (st_slice_eq(r->dims[i].name, r->vals[k].name))
                why = st_arena_printf(a, "Dimension '%.*s' has the name of a measure value.", (int)r->dims[i].name.n,
                              r->dims[i].name.p);
    }
    if (!why && r->ndims == 0) why = st_arena_printf(a, "A record needs at least one dimension.");
    r->reason = why;
    return 0;
}

int tsrec_decode(const char *body, size_t n, st_arena *a, tsrec_req *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    json_node *root;
    int rc = json_tree_parse(body, n, a, 16, &root, e);
    if (rc) return st_wrap(e, "request body");
    return tsrec_decode_tree(root, a, out, e);
}

int tsrec_decode_tree(const json_node *root, st_arena *a, tsrec_req *out, st_err *e)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (root->kind != JSON_OBJECT) return st_fail(e, ST_EINVAL, "request body must be a JSON object");
    const json_node *db = json_tree_get(root, "DatabaseName"), *tb = json_tree_get(root, "TableName");
    const json_node *common = json_tree_get(root, "CommonAttributes"), *recs = json_tree_get(root, "Records");
    if (!db || db->kind != JSON_STRING || !tb || tb->kind != JSON_STRING)
        return st_fail(e, ST_EINVAL, "DatabaseName and TableName are required strings");
    out->db = db->s;
    out->table = tb->s;
    if (!recs || recs->kind != JSON_ARRAY) return st_fail(e, ST_EINVAL, "Records is a required array");
    if (recs->n < 1 || recs->n > TSREC_MAX_RECORDS)
        return st_fail(e, ST_EINVAL,
                       "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have "
                       "length less than or equal to %d and greater than or equal to 1",
                       TSREC_MAX_RECORDS);
    raw c = {0};
    if (common && common->kind != JSON_NULL && (rc = read_raw(common, "CommonAttributes", &c, e))) return rc;
    out->n = recs->n;
    out->recs = st_arena_alloc(a, out->n * sizeof *out->recs);
    for (size_t i = 0; i < out->n; i++)
        if ((rc = build(a, &c, &recs->items[i], &out->recs[i], e))) return rc;
    return 0;
}
