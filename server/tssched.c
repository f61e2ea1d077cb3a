/* tssched: Timestream's scheduled queries (to be built: see ts_int.h). */
#include "ts_int.h"

static void not_yet(ts_call *c)
{
    ts_fail(c, 400, "ValidationException", "Strata does not serve %s yet", c->op);
}

void ts_create_scheduled_query(ts_call *c) { not_yet(c); }
void ts_describe_scheduled_query(ts_call *c) { not_yet(c); }
void ts_list_scheduled_queries(ts_call *c) { not_yet(c); }
void ts_update_scheduled_query(ts_call *c) { not_yet(c); }
void ts_delete_scheduled_query(ts_call *c) { not_yet(c); }
void ts_execute_scheduled_query(ts_call *c) { not_yet(c); }

int ts_sched_start(api_server *sv, st_err *e)
{
    (void)sv;
    (void)e;
    return 0;
}

void ts_sched_stop(api_server *sv) { (void)sv; }
