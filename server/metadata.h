/* metadata: metric metadata (type, help, unit per metric family) as
 * remote_write senders deliver it, served by /api/v1/metadata.
 *
 * Kept in memory per database, the latest entry per family winning:
 * Prometheus re-sends all of it about once a minute, so nothing needs to
 * survive a restart for long. Bounded (--max-metadata is not needed: a cap
 * of 100,000 families per database keeps a hostile sender from growing it
 * without end; past it, new families are dropped and counted).
 */
#ifndef ST_METADATA_H
#define ST_METADATA_H

#include "api.h"
#include "st.h"

/* type: prometheus.MetricMetadata.MetricType (0 unknown .. 7 stateset). */
void metadata_put(const char *db, st_slice family, unsigned type, st_slice help, st_slice unit);
uint64_t metadata_dropped(void);
/* GET /api/v1/metadata?limit=&metric= */
void api_prom_metadata(api_server *sv, http_req *rq, http_resp *rs);

#endif
