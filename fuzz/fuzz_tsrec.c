/* Fuzz target: tsrec_decode (Timestream's WriteRecords body) on arbitrary
 * bytes. Beyond "never crash, never overread", it checks the invariants of
 * tsrec.h for every record decoded without a reason, and that a failure is
 * ST_EINVAL with a message. */
#include "tsrec.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    char *body = malloc(size ? size : 1);
    memcpy(body, data, size);
    st_arena *a = st_arena_new(4096);
    tsrec_req req;
    st_err e = {0};
    int rc = tsrec_decode(body, size, a, &req, &e);
    if (rc) {
        if (rc != ST_EINVAL || !e.msg[0]) abort();
    } else {
        if (req.n < 1 || req.n > TSREC_MAX_RECORDS) abort();
        for (size_t i = 0; i < req.n; i++) {
            const tsrec *r = &req.recs[i];
            if (r->reason) continue;
            if (!r->ndims || r->ndims > TSREC_MAX_DIMS || !r->measure.n || r->measure.n > TSREC_MEASURE_NAME_MAX)
                abort();
            if (r->time_ns < 0 || r->version < 1) abort();
            for (size_t d = 0; d < r->ndims; d++) {
                if (!r->dims[d].name.n || !r->dims[d].value.n) abort();
                for (size_t k = 0; k < d; k++)
                    if (st_slice_eq(r->dims[k].name, r->dims[d].name)) abort();
            }
            if (r->type == TSREC_MULTI ? (!r->nvals || r->nvals > TSREC_MAX_MULTI) : r->nvals != 1) abort();
            for (size_t v = 0; v < r->nvals; v++) {
                if (r->type != TSREC_MULTI && r->vals[v].type == TSREC_TIMESTAMP) abort();
                if (r->type == TSREC_MULTI && r->vals[v].type == TSREC_MULTI) abort();
            }
        }
    }
    st_arena_free(a);
    free(body);
    return 0;
}
