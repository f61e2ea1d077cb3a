/* scan: the query layer every reader stands on (PromQL, InfluxQL, SQL,
 * remote_read, export, and the series/label/SHOW endpoints).
 *
 * A scan is a consistent view of one database over [mint, maxt] (ns,
 * inclusive) and the series it selects: those matching any of the given
 * selectors (a selector is a list of matchers, all of which must hold;
 * none = every series), narrowed to one SQL table (and column) and to the
 * value types asked for. Opening it pins the blocks that overlap the range
 * and settles the selection, sorted once in the order the consumer asks
 * for, each series once however many selectors and sources hold it.
 *
 * Iterators walk a contiguous slice of the selection [from, to). Several
 * iterators of one scan may run on different threads at once (the scan is
 * read-only after open; each iterator owns its buffers), which is how
 * independent series are evaluated on all cores. Per series an iterator
 * gives a descriptor (labels parsed once, metric, table, column, type)
 * and, by mode:
 *   SCAN_KEYS     nothing more: no chunk is read, no sample decoded;
 *   SCAN_CHUNKS   series with at least one chunk overlapping the range
 *                 (Prometheus's rule for /api/v1/series), and the chunks'
 *                 metadata with statistics where they hold;
 *   SCAN_SAMPLES  series with at least one sample in the range, and the
 *                 samples in bounded batches (ts[], vals[] or strs[]),
 *                 merged across head and blocks and de-duplicated by time
 *                 (the write later in WAL order wins), so a consumer's
 *                 memory is its batch size times its fan-out, not its range.
 *
 * Invariants:
 *  (1) a sample acknowledged before scan_open is seen by every iterator of
 *      the scan (a flush that moves it from memory into a block meanwhile
 *      is detected and the new block read instead);
 *  (2) batches of one series are strictly increasing in time, within and
 *      across batches;
 *  (3) a budget is shared by every scan of one query: past its deadline,
 *      its sample limit or its cancellation, every call fails with the
 *      budget's code (ST_ETIMEOUT, ST_ELIMIT, ST_ECANCELED) and message;
 *  (4) nothing returned is valid past the next call on the same iterator,
 *      except where said otherwise.
 *
 * Thread-safety: scan_open/scan_close from one thread; iterators of one
 * scan from any threads, one thread per iterator at a time.
 */
#ifndef ST_SCAN_H
#define ST_SCAN_H

#include <stdatomic.h>

#include "codec.h"
#include "matcher.h"
#include "pool.h"
#include "store.h"

typedef enum scan_mode { SCAN_KEYS = 0, SCAN_CHUNKS = 1, SCAN_SAMPLES = 2 } scan_mode;

typedef enum scan_order {
    SCAN_ORDER_KEY = 0,    /* canonical key bytes: the cheapest, any consumer that needs none */
    SCAN_ORDER_LABELS = 1, /* Prometheus's labels.Compare (name, value, pair by pair) */
    SCAN_ORDER_TABLE = 2,  /* table, then the tags (labels without __name__) as
                              labels.Compare orders them, then the column:
                              InfluxQL's and SQL's series order */
    SCAN_ORDER_CREATION = 3, /* Prometheus's own order for a consumer that asks none:
                              a scan that reads the head alone, creation order (its
                              postings' order: no label sort); with blocks, labels
                              (its merged order) */
    SCAN_ORDER_ANY = 4,    /* no order: for a consumer that folds each series on its
                              own (memory alone: as collected; with blocks, grouped
                              by a hash of the key) */
} scan_order;

/* Value types, as a bit mask of (1 << st_vtype). */
#define SCAN_TYPES_ALL 0x3eu
#define SCAN_TYPES_NUMERIC ((1u << ST_VT_FLOAT) | (1u << ST_VT_INT) | (1u << ST_VT_UINT) | (1u << ST_VT_BOOL))

/* Budgets of one query, shared by all of its scans (and threads). The
 * owner fills the limits, calls scan_budget_init, and reads code/msg after
 * a failure. */
typedef struct scan_budget {
    int64_t deadline_ns;   /* st_mono_ns() time; 0 = none */
    uint64_t max_samples;  /* samples decoded by all scans together; 0 = none */
    /* polled about every few thousand samples: true = the client is gone */
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    _Atomic uint64_t samples;
    _Atomic uint64_t polls;
    _Atomic int claimed;   /* the first failure writes msg... */
    _Atomic int code;      /* ...then publishes its code: 0 while within budget */
    char msg[256];         /* complete once code is non-zero */
} scan_budget;

void scan_budget_init(scan_budget *b);
/* Charges n samples; polls the deadline and cancellation. 0 or the code. */
int scan_budget_charge(scan_budget *b, uint64_t n, st_err *e);
/* For work between samples (an evaluator's own loops): the deadline on
 * every call, the client every 64th. 0 or the budget's code. */
int scan_budget_poll(scan_budget *b, st_err *e);
/* Fails the budget from outside (the evaluator's own limits); first wins. */
int scan_budget_fail(scan_budget *b, int code, const char *msg, st_err *e);
/* The code a failed query reports, e's message made to match: the
 * budget's when it stopped the work (its message then), else e's code, else
 * rc. */
int scan_budget_error(scan_budget *b, int rc, st_err *e);

typedef struct scan_spec {
    const char *db;
    /* selectors: series matching every matcher of any one of them */
    matcher *const *const *sel;
    const size_t *nsel;
    size_t nselectors;     /* 0 = every series */
    st_slice table;        /* empty = any; else only this SQL table */
    st_slice column;       /* empty = any; else only this column of table */
    int64_t mint, maxt;    /* ns, inclusive */
    scan_mode mode;
    /* SCAN_SAMPLES for a consumer that wants only each series' last sample
     * in the range: a series whose newest sample in memory lies in the
     * range is read from that sample on (its earlier samples may be left
     * out); the last sample given is still the series' last in the range */
    bool tail;
    scan_order order;
    unsigned types;        /* SCAN_TYPES_*; 0 = all */
    size_t batch;          /* SCAN_SAMPLES: samples per batch at most; 0 = 4096 */
    scan_budget *budget;   /* NULL = no limits */
    pool *pool;            /* NULL = all on the caller's thread; else an idle helper
                              sorts half of a large selection */
} scan_spec;

typedef struct scan scan;
typedef struct scan_iter scan_iter;

/* Opens a scan. ST_ENOTFOUND if the database does not exist. The spec's
 * matchers are used during the call only. */
int scan_open(store *s, const scan_spec *spec, scan **out, st_err *e);
void scan_close(scan *sc);
/* Selected series (before the range filter of SCAN_CHUNKS and SCAN_SAMPLES). */
size_t scan_count(scan *sc);

/* One series. Everything borrowed until the iterator's next call. */
typedef struct scan_series {
    size_t index;              /* position in the selection */
    const uint8_t *key;        /* canonical key (labels.h) */
    size_t keylen;
    const label *labels;       /* canonical labels, __name__ among them */
    size_t nlabels;
    st_slice metric;           /* the __name__ value */
    st_slice table, column;    /* the SQL mapping (labels.h) */
    st_vtype type;
} scan_series;

/* Statistics of one chunk, when known (see codec.h, codec_stats). */
typedef struct scan_chunk {
    int64_t mint, maxt;        /* bounds of its samples (mint may be a lower bound: exact_mint) */
    uint32_t count;            /* samples, 0 = unknown */
    bool exact_mint;
    bool tombstoned;           /* a deletion overlaps it: what it holds is not what a read gives */
    bool has_stats;            /* stats hold for the merged series over [mint, maxt]:
                                  no other source overlaps it, no tombstone */
    bool ms_aligned;           /* every sample on a whole millisecond (so it is seen as stored) */
    codec_stats stats;         /* describes the whole chunk, which may pass the scan's range */
} scan_chunk;

typedef struct scan_batch {
    const int64_t *ts;         /* ns */
    const uint64_t *vals;      /* float bits, int64, uint64, 0/1 */
    const st_slice *strs;      /* ST_VT_STRING only */
    size_t n;
} scan_batch;

/* A stored value as the number PromQL and remote_read see: floats bit for
 * bit, integers and unsigned integers converted (exact up to 2^53),
 * booleans 0/1. */
static inline double scan_value_double(st_vtype type, uint64_t bits)
{
    switch (type) {
    case ST_VT_INT: return (double)(int64_t)bits;
    case ST_VT_UINT: return (double)bits;
    case ST_VT_BOOL: return bits ? 1 : 0;
    default: {
        double d;
        __builtin_memcpy(&d, &bits, 8);
        return d;
    }
    }
}

/* An iterator over selection positions [from, to) (to is clamped). */
int scan_iter_open(scan *sc, size_t from, size_t to, scan_iter **out, st_err *e);
void scan_iter_close(scan_iter *it);
/* Next series: 1 when *out is filled, 0 at the end, or an error. */
int scan_iter_next(scan_iter *it, scan_series *out, st_err *e);
/* SCAN_SAMPLES: the next batch of the current series: 1 when *out holds at
 * least one sample, 0 when the series is done, or an error. */
int scan_iter_batch(scan_iter *it, scan_batch *out, st_err *e);
/* SCAN_SAMPLES: every remaining sample of the current series into out
 * (replacing its content): for consumers that need a series whole, whose
 * memory is then the series', not a batch's. */
int scan_iter_read_all(scan_iter *it, codec_samples *out, st_err *e);
/* SCAN_CHUNKS: the next chunk of the current series (time order; sources
 * that overlap each other come as chunks without stats): 1, 0 at the
 * series' end. A block chunk comes with its bounds only:
 * scan_iter_chunk_stats reads its count and statistics when wanted. */
int scan_iter_chunk(scan_iter *it, scan_chunk *out);
/* SCAN_CHUNKS: out = the current chunk with its count and statistics (a
 * block chunk's are read from the block once). 0 or an error. */
int scan_iter_chunk_stats(scan_iter *it, scan_chunk *out, st_err *e);
/* SCAN_CHUNKS: what the current series holds in memory within the range,
 * as time spans (pairs [mint, maxt]) with no sample outside them, read
 * without decoding anything: their number (none when the series is all in
 * blocks), more than SCAN_HEAD_SPANS when only the first SCAN_HEAD_SPANS
 * are given. Valid until the iterator's next call. */
#define SCAN_HEAD_SPANS 64
size_t scan_iter_head_spans(const scan_iter *it, const int64_t **spans);
/* SCAN_CHUNKS: the samples of the chunk scan_iter_chunk returned last,
 * merged with every overlapping source, within [mint, maxt] of the scan. */
int scan_iter_chunk_samples(scan_iter *it, scan_batch *out, st_err *e);

/* Label names, or the values of one label, of the selected series, sorted
 * and unique, as slices borrowed from the scan (valid until scan_close).
 * SCAN_KEYS reads only the keys; a range filter is not applied. A scan
 * with no selector, table, column or type filter answers from the indexes
 * alone (its series are collected only if an iterator asks for them). */
int scan_label_names(scan *sc, st_slice **out, size_t *n, st_err *e);
int scan_label_values(scan *sc, st_slice name, st_slice **out, size_t *n, st_err *e);
/* The SQL tables (measurements) of the scan's database, from the table
 * index alone, sorted and unique, borrowed like the above. *exact is false
 * when a pinned block has tombstones: a table whose every point was
 * deleted there may still be listed, and a caller that must not list it
 * walks the series instead. */
int scan_tables(scan *sc, st_slice **out, size_t *n, bool *exact, st_err *e);

/* The fields and tag keys of one SQL table (an InfluxDB measurement): its
 * series' columns, sorted and each once with the type of the first series
 * seen and the series name it is stored under, and their label names but
 * __name__, sorted. Computed from keys alone and kept in the database
 * until its series change (a series created, a block added or removed, a
 * delete), so that asking again costs a copy. Slices in a. An unknown
 * database is ST_ENOTFOUND.
 *
 * Records written through Timestream's API are series that carry their
 * measure name as the label SCAN_MEASURE_LABEL; SQL shows their columns
 * apart from the others' (engine/sql/README.md), so the schema tells, per
 * field, which kinds of series hold it. */
#define SCAN_MEASURE_LABEL "measure_name"
#define SCAN_FIELD_MEASURED 1u /* some of the field's series carry SCAN_MEASURE_LABEL */
#define SCAN_FIELD_PLAIN 2u    /* some do not */

typedef struct scan_table_schema {
    st_slice *fields, *metrics;
    uint8_t *types;
    uint8_t *kinds;        /* SCAN_FIELD_* of each field */
    size_t nfields;
    st_slice *tags;        /* SCAN_MEASURE_LABEL among them when a series carries it */
    size_t ntags;
} scan_table_schema;

int scan_table_schema_get(store *s, const char *db, st_slice table, st_arena *a, scan_table_schema *out,
                          st_err *e);

/* Bounds [*lo, *hi] within [mint, maxt] that every sample of the table's
 * series in that range lies in, from block indexes and memory's bounds
 * alone (nothing decoded): they may be wider than the data, never
 * narrower. Memory's bounds are the whole database's (a table written now
 * reaches now whatever the others hold). *lo > *hi: nothing there. */
int scan_table_bounds(store *s, const char *db, st_slice table, int64_t mint, int64_t maxt, int64_t *lo,
                      int64_t *hi, st_err *e);

/* The distinct combinations of the named tags' values over a table's
 * series (every source, any time, whatever a query's conditions: a host
 * gone quiet long ago is still listed; .p NULL where a series lacks the tag),
 * each given to fn once, under a lock that fn must not call back into the
 * scan layer under. Computed from keys and kept, like the schema, until
 * the series change. A nonzero return of fn ends the walk and is
 * returned. */
int scan_table_tagsets(store *s, const char *db, st_slice table, const st_slice *tags, size_t ntags,
                       int (*fn)(void *ctx, const st_slice *vals), void *ctx, st_err *e);

/* Cardinality of a database's in-memory tier, from its index alone (what
 * Prometheus's /api/v1/status/tsdb shows): every label pair with its
 * series count, each label name with its number of values and the bytes of
 * those values, each metric name with its series count. Arrays owned by
 * the caller (scan_head_cardinality_free); strings are copies. */
typedef struct scan_stat {
    char *name;
    uint64_t value;
} scan_stat;

typedef struct scan_cardinality {
    uint64_t series, chunks, label_pairs;
    int64_t mint, maxt;           /* ns; INT64_MAX / INT64_MIN when empty */
    scan_stat *metrics;           /* __name__ value -> series */
    size_t nmetrics;
    scan_stat *names;             /* label name -> distinct values */
    scan_stat *name_bytes;        /* label name -> bytes of its distinct values */
    size_t nnames;
    scan_stat *pairs;             /* "name=value" -> series */
    size_t npairs;
} scan_cardinality;

int scan_head_cardinality(store *s, const char *db, scan_cardinality *out, st_err *e);
void scan_head_cardinality_free(scan_cardinality *c);

#endif
