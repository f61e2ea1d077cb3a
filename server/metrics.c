/* metrics: GET /metrics, Strata's own metrics in Prometheus text format. */
#include <inttypes.h>
#include <stdio.h>

#include "api.h"
#include "cq.h"
#include "prr.h"
#include "influx.h"
#include "prw.h"
#include "sqlapi.h"
#include "timestream.h"
#include "tls.h"
#include "sealfs.h"

static void gauge(st_buf *b, const char *name, const char *help, const char *type, uint64_t v)
{
    st_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, v);
}

static void seed_count(void *ctx, const char *kek_id, unsigned n)
{
    st_buf_printf(ctx, "strata_encryption_seeds{kek_id=\"%s\"} %u\n", kek_id, n);
}

void api_metrics(api_server *sv, http_req *rq, http_resp *rs)
{
    (void)rq;
    store *s = sv->s;
    store_stats st;
    store_get_stats(s, &st);
    st_buf *b = &rs->body;
    rs->status = 200;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    gauge(b, "strata_samples_appended_total", "Samples stored and acknowledged.", "counter",
          st.samples_appended);
    st_buf_printf(b, "# HELP strata_samples_rejected_total Samples refused, by reason.\n"
                     "# TYPE strata_samples_rejected_total counter\n");
    for (int i = 0; store_reject_reason_name(i); i++)
        st_buf_printf(b, "strata_samples_rejected_total{reason=\"%s\"} %" PRIu64 "\n",
                      store_reject_reason_name(i), st.samples_rejected[i]);
    gauge(b, "strata_active_series", "Series held in memory (the head).", "gauge", st.active_series);
    gauge(b, "strata_series_created_total", "Series created in the head.", "counter", st.series_created);
    gauge(b, "strata_series_mapping_clashes_total",
          "Writes of an existing series through another table/column mapping (the first one stands).",
          "counter", st.series_clashes);
    gauge(b, "strata_databases", "Databases in the catalog.", "gauge", st.databases);
    if (sv->f->tls_cert_file) {
        uint64_t ok, failed;
        tls_reload_counts(&ok, &failed);
        st_buf_printf(b, "# HELP strata_tls_reloads_total TLS certificate reloads (SIGHUP), by result.\n"
                         "# TYPE strata_tls_reloads_total counter\n"
                         "strata_tls_reloads_total{result=\"ok\"} %" PRIu64 "\n"
                         "strata_tls_reloads_total{result=\"failed\"} %" PRIu64 "\n", ok, failed);
        gauge(b, "strata_tls_handshake_failures_total", "TLS handshakes that failed, both listeners.", "counter",
              tls_handshake_failures());
        gauge(b, "strata_tls_cert_expiry_timestamp_seconds", "When the certificate in use expires (Unix seconds).",
              "gauge", (uint64_t)tls_cert_expiry());
    }
    auth_metrics(sv->auth, b);
    if (sv->keys) {
        st_buf_printf(b, "# HELP strata_encryption_seeds Data-key seeds in keys/, by the master key that wraps them.\n"
                         "# TYPE strata_encryption_seeds gauge\n");
        crypto_seed_counts(sv->keys, seed_count, b);
        uint64_t hits, misses;
        sealfs_cache_counts(sv->sealed, &hits, &misses);
        gauge(b, "strata_encryption_plaintext_reads_total", "Files read that were written before encryption was on.",
              "counter", sealfs_plain_reads(sv->sealed));
        st_buf_printf(b, "# HELP strata_encryption_cache_reads_total Reads of encrypted block segments, by result.\n"
                         "# TYPE strata_encryption_cache_reads_total counter\n"
                         "strata_encryption_cache_reads_total{result=\"hit\"} %" PRIu64 "\n"
                         "strata_encryption_cache_reads_total{result=\"miss\"} %" PRIu64 "\n", hits, misses);
    }
    gauge(b, "strata_head_chunks", "Compressed chunks in memory.", "gauge", st.head_chunks);
    gauge(b, "strata_head_chunk_bytes", "Bytes of compressed chunks in memory.", "gauge", st.head_chunk_bytes);
    gauge(b, "strata_head_memory_bytes", "Estimated memory held by the head.", "gauge", st.head_memory_bytes);
    gauge(b, "strata_blocks", "Blocks on disk.", "gauge", st.blocks);
    gauge(b, "strata_block_bytes", "Bytes of blocks on disk.", "gauge", st.block_bytes);
    gauge(b, "strata_block_samples", "Samples in blocks on disk.", "gauge", st.block_samples);
    gauge(b, "strata_block_corruptions_total", "Blocks found damaged and moved aside.", "counter",
          st.block_corruptions);
    gauge(b, "strata_compactions_total", "Block compactions.", "counter", st.compactions);
    gauge(b, "strata_flushes_total", "Flushes of memory to blocks.", "counter", st.flushes);
    gauge(b, "strata_retention_deletions_total", "Blocks deleted by retention.", "counter",
          st.retention_deletions);
    gauge(b, "strata_wal_bytes_written_total", "Bytes written to the WAL since start.", "counter",
          st.wal_bytes_written);
    gauge(b, "strata_wal_disk_bytes", "Bytes of WAL segments and checkpoint on disk.", "gauge",
          st.wal_disk_bytes);
    gauge(b, "strata_wal_segments", "WAL segment files.", "gauge", st.wal_segments);
    gauge(b, "strata_wal_truncated_tails_total", "Torn or corrupt WAL tails truncated at start-up.",
          "counter", st.wal_truncated_tails);
    gauge(b, "strata_wal_corrupt_segments_total", "WAL segments moved aside as corrupt.", "counter",
          st.wal_corrupt_segments);
    static const char *const le[] = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
                                     "0.01",   "0.025",   "0.05",   "0.1",   "0.25",   "+Inf"};
    st_buf_printf(b, "# HELP strata_wal_fsync_duration_seconds Latency of WAL fsyncs.\n"
                     "# TYPE strata_wal_fsync_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < 12; i++) {
        cum += st.wal_fsync_hist[i];
        st_buf_printf(b, "strata_wal_fsync_duration_seconds_bucket{le=\"%s\"} %" PRIu64 "\n", le[i], cum);
    }
    st_buf_printf(b, "strata_wal_fsync_duration_seconds_sum %.9f\n"
                     "strata_wal_fsync_duration_seconds_count %" PRIu64 "\n",
                  (double)st.wal_fsync_ns_total / 1e9, st.wal_fsyncs);
    st_buf_printf(b, "# HELP strata_wal_replay_duration_seconds Time the last start-up spent replaying the WAL.\n"
                     "# TYPE strata_wal_replay_duration_seconds gauge\n"
                     "strata_wal_replay_duration_seconds %.6f\n",
                  (double)st.replay_ns / 1e9);
    gauge(b, "strata_scans_total", "Reads of the query layer (a selector, an export, a SHOW).", "counter", st.scans);
    gauge(b, "strata_scan_series_total", "Series the query layer produced.", "counter", st.scan_series);
    gauge(b, "strata_scan_samples_decoded_total", "Samples the query layer decoded or read from memory.", "counter",
          st.scan_samples_decoded);
    gauge(b, "strata_scan_chunks_decoded_total", "Block chunks the query layer decoded.", "counter",
          st.scan_chunks_decoded);
    gauge(b, "strata_scan_chunks_by_stats_total", "Block chunks answered from their statistics, not decoded.",
          "counter", st.scan_chunks_by_stats);
    uint64_t pq[6], pq_ns;
    api_promql_stats(pq, &pq_ns);
    static const char *const pq_result[6] = {"success", "bad_data", "execution", "timeout", "canceled", "internal"};
    st_buf_printf(b, "# HELP strata_promql_queries_total PromQL queries (/api/v1/query, query_range) by outcome.\n"
                     "# TYPE strata_promql_queries_total counter\n");
    for (int i = 0; i < 6; i++)
        st_buf_printf(b, "strata_promql_queries_total{result=\"%s\"} %" PRIu64 "\n", pq_result[i], pq[i]);
    st_buf_printf(b, "# HELP strata_promql_evaluation_seconds_total Time spent evaluating PromQL queries.\n"
                     "# TYPE strata_promql_evaluation_seconds_total counter\n"
                     "strata_promql_evaluation_seconds_total %.6f\n", (double)pq_ns / 1e9);
    api_sql_metrics(b);
    api_timestream_metrics(sv, b);
    prw_stats ps;
    prw_get_stats(&ps);
    st_buf_printf(b, "# HELP strata_remote_write_requests_total remote_write requests, by protocol version.\n"
                     "# TYPE strata_remote_write_requests_total counter\n"
                     "strata_remote_write_requests_total{version=\"1.0\"} %" PRIu64 "\n"
                     "strata_remote_write_requests_total{version=\"2.0\"} %" PRIu64 "\n",
                  ps.requests_v1, ps.requests_v2);
    gauge(b, "strata_remote_write_requests_rejected_total", "remote_write requests answered 4xx/5xx.",
          "counter", ps.requests_rejected);
    gauge(b, "strata_remote_write_samples_received_total", "Samples decoded from remote_write.",
          "counter", ps.samples_received);
    gauge(b, "strata_remote_write_series_rejected_total",
          "remote_write series refused for invalid labels or timestamps.", "counter", ps.series_rejected);
    gauge(b, "strata_remote_write_series_over_limit_total",
          "remote_write series refused for exceeding a label limit flag.", "counter", ps.series_over_limit);
    st_buf_printf(b, "# HELP strata_remote_write_dropped_total Parts of remote_write requests not stored yet, by kind.\n"
                     "# TYPE strata_remote_write_dropped_total counter\n"
                     "strata_remote_write_dropped_total{kind=\"exemplar\"} %" PRIu64 "\n"
                     "strata_remote_write_dropped_total{kind=\"native_histogram\"} %" PRIu64 "\n",
                  ps.exemplars_dropped, ps.histograms_dropped);
    gauge(b, "strata_remote_write_metadata_received_total",
          "Metric metadata entries received (served by /api/v1/metadata).", "counter", ps.metadata_received);
    st_buf_printf(b, "# HELP strata_remote_write_series_cache_lookups_total remote_write series cache lookups, by result.\n"
                     "# TYPE strata_remote_write_series_cache_lookups_total counter\n"
                     "strata_remote_write_series_cache_lookups_total{result=\"hit\"} %" PRIu64 "\n"
                     "strata_remote_write_series_cache_lookups_total{result=\"miss\"} %" PRIu64 "\n",
                  ps.cache_hits, ps.cache_misses);
    gauge(b, "strata_remote_write_series_cache_entries",
          "Series in the remote_write series cache, rotated-out generations not yet freed included.",
          "gauge", ps.cache_entries);
    gauge(b, "strata_remote_write_series_cache_bytes",
          "Memory of the remote_write series cache, rotated-out generations not yet freed included.", "gauge",
          ps.cache_bytes);
    prr_stats rr;
    prr_get_stats(&rr);
    st_buf_printf(b, "# HELP strata_remote_read_requests_total remote_read requests decoded, by the response type negotiated.\n"
                     "# TYPE strata_remote_read_requests_total counter\n"
                     "strata_remote_read_requests_total{type=\"samples\"} %" PRIu64 "\n"
                     "strata_remote_read_requests_total{type=\"streamed_xor_chunks\"} %" PRIu64 "\n",
                  rr.requests_samples, rr.requests_streamed);
    gauge(b, "strata_remote_read_requests_rejected_total", "remote_read requests answered 4xx/5xx.", "counter",
          rr.requests_rejected);
    gauge(b, "strata_remote_read_queries_total", "Queries run for remote_read requests.", "counter", rr.queries);
    gauge(b, "strata_remote_read_series_total", "Series returned by remote_read.", "counter", rr.series);
    gauge(b, "strata_remote_read_samples_total", "Samples returned by remote_read.", "counter", rr.samples);
    gauge(b, "strata_remote_read_frames_total", "Frames of streamed remote_read responses.", "counter", rr.frames);
    gauge(b, "strata_remote_read_spilled_total",
          "Streamed remote_read responses too large for memory, spooled to a temporary file.", "counter",
          rr.spilled);
    gauge(b, "strata_remote_read_in_flight", "remote_read requests running their queries or waiting for a turn.",
          "gauge", rr.in_flight);
    gauge(b, "strata_remote_read_streams", "Streamed remote_read answers being sent.", "gauge", rr.streams);
    influx_stats is;
    influx_get_stats(&is);
    st_buf_printf(b, "# HELP strata_influx_write_requests_total InfluxDB write requests (/write, /api/v2/write), by API.\n"
                     "# TYPE strata_influx_write_requests_total counter\n"
                     "strata_influx_write_requests_total{api=\"v1\"} %" PRIu64 "\n"
                     "strata_influx_write_requests_total{api=\"v2\"} %" PRIu64 "\n"
                     "# HELP strata_influx_write_requests_failed_total InfluxDB write requests answered other than 2xx, by API.\n"
                     "# TYPE strata_influx_write_requests_failed_total counter\n"
                     "strata_influx_write_requests_failed_total{api=\"v1\"} %" PRIu64 "\n"
                     "strata_influx_write_requests_failed_total{api=\"v2\"} %" PRIu64 "\n",
                  is.requests[INFLUX_V1], is.requests[INFLUX_V2], is.requests_failed[INFLUX_V1],
                  is.requests_failed[INFLUX_V2]);
    gauge(b, "strata_influx_write_bytes_total", "Line protocol bytes received (after decompression).", "counter",
          is.bytes);
    gauge(b, "strata_influx_write_lines_total", "Line protocol points received, good and bad.", "counter", is.lines);
    static const char *const why[IMPORT_REJ_N] = {"syntax", "out_of_range", "type_conflict", "invalid"};
    st_buf_printf(b, "# HELP strata_influx_write_lines_rejected_total Line protocol points refused before storing, by reason.\n"
                     "# TYPE strata_influx_write_lines_rejected_total counter\n");
    for (int i = 0; i < IMPORT_REJ_N; i++)
        st_buf_printf(b, "strata_influx_write_lines_rejected_total{reason=\"%s\"} %" PRIu64 "\n", why[i],
                      is.lines_rejected[i]);
    gauge(b, "strata_influx_write_samples_written_total", "Line protocol field values stored.", "counter",
          is.samples_written);
    gauge(b, "strata_influx_write_samples_rejected_total",
          "Line protocol field values the store refused (reasons: strata_samples_rejected_total).", "counter",
          is.samples_rejected);
    st_buf_printf(b, "# HELP strata_influx_write_series_cache_lookups_total Line protocol series cache lookups, by result.\n"
                     "# TYPE strata_influx_write_series_cache_lookups_total counter\n"
                     "strata_influx_write_series_cache_lookups_total{result=\"hit\"} %" PRIu64 "\n"
                     "strata_influx_write_series_cache_lookups_total{result=\"miss\"} %" PRIu64 "\n",
                  is.cache_hits, is.cache_misses);
    gauge(b, "strata_influx_write_series_cache_entries", "Series in the line protocol series cache.", "gauge",
          is.cache_entries);
    gauge(b, "strata_influx_write_series_cache_bytes", "Memory of the line protocol series cache.", "gauge",
          is.cache_bytes);
    gauge(b, "strata_disk_full", "1 while writes are refused because the disk is full.", "gauge",
          store_disk_full(s) ? 1 : 0);
    cq_stats cq;
    cq_get_stats(&cq);
    gauge(b, "strata_continuous_queries", "InfluxQL continuous queries the runner knows.", "gauge", cq.queries);
    gauge(b, "strata_continuous_query_runs_total", "Runs of continuous queries.", "counter", cq.runs);
    gauge(b, "strata_continuous_query_failures_total", "Runs of continuous queries that failed (logged).", "counter",
          cq.failures);
    gauge(b, "strata_continuous_query_points_written_total", "Points continuous queries wrote.", "counter", cq.points);
    st_buf_printf(b, "# HELP strata_continuous_query_run_seconds_total Time continuous queries ran.\n"
                     "# TYPE strata_continuous_query_run_seconds_total counter\n"
                     "strata_continuous_query_run_seconds_total %.6f\n",
                  (double)cq.run_ns / 1e9);
}
