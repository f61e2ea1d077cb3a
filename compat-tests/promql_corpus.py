r"""promql_corpus: the queries of test_promql_diff.py, by category, written
for the data set of promql_data.py (metric names, label values, times).

Placeholders, replaced by unix seconds (3 decimals) of the data set:
$END (last data time), $START (6 h before), $FLUSH (END - 2h: older data is
in Strata's blocks, newer in memory), $MID (inside the flushed range),
$BLOCK (a 2 h block boundary inside it), $STALE / $STALEB (the stale
markers of up{job="flaky"} in memory / in blocks), $STALE_AFTER /
$STALEB_AFTER (10 s after them), $LATE (the first sample of the late
series), $EARLY (the last sample of the early series).

The queries of "parameters" run with odd API parameters only (see
test_promql_diff.py). Every query outside "errors" must be evaluated by Prometheus as an instant
query (the test checks it: a typo shows as a corpus problem); every query
in "errors" must fail on Prometheus at least somewhere. Queries typed range
vector are in the corpus too: as range queries both servers must refuse
them the same way."""

SELECTORS = r"""
# plain, every matcher
http_requests_total
http_requests_total{job="api"}
http_requests_total{job!="api"}
http_requests_total{job=~"api|web"}
http_requests_total{job!~"api|web"}
http_requests_total{job=~"a.*"}
http_requests_total{job=~"ap"}
http_requests_total{job=~"API"}
http_requests_total{job=~"(?i)API"}
http_requests_total{instance=~".*:9090"}
http_requests_total{instance=~"10\\.0\\.0\\.[12]:9090"}
http_requests_total{job="api", code=~"5.."}
http_requests_total{job="api", method!="GET", code="200"}
http_requests_total{job="api", job!="api"}
http_requests_total{job=~"api", job=~"web"}
http_requests_total{code!~"2.*", code!~"5.*"}
# a label present on some series only; regexes that match the empty string
http_requests_total{canary=""}
http_requests_total{canary!=""}
http_requests_total{canary=~""}
http_requests_total{canary=~".*"}
http_requests_total{canary!~".+"}
http_requests_total{canary=~"true|"}
http_requests_total{canary!~""}
http_requests_total{nolabel=""}
http_requests_total{nolabel=~".*", job="batch"}
http_requests_total{nolabel!=""}
http_requests_total{nolabel=~".+"}
# names through __name__
{__name__="http_requests_total", job="batch"}
{__name__=~"http_requests_total|up"}
{__name__=~"http_.*_total"}
{__name__=~"node_.+", instance="node-2"}
{__name__=~"requests_(ok|failed)_total"}
{__name__!="up", job="flaky"}
{__name__=~"up", job=~"fl.*"}
{__name__=~".+", instance="a"}
{__name__!~"http.*|node.*|special.*|escape.*|rpc.*|up|queue.*|requests.*", __name__=~".+"}
{job="api"}
{job=~"fl.*"}
{instance=~"node-1|a", __name__!~".*cpu.*"}
{quote=~".+"}
# the other metrics
up
up{job="flaky"}
up{instance="flaky-1"}
queue_depth
queue_depth{queue="late"}
queue_depth{queue="early"}
special_gauge
special_gauge{kind="precise"}
special_gauge{kind=~"nan|inf|neginf"}
node_temperature_celsius
node_memory_used_bytes
node_cpu_seconds_total{cpu="1", mode="user"}
http_request_duration_seconds_bucket{le="+Inf"}
http_request_duration_seconds_bucket{le="0.1", instance="web-1"}
http_request_duration_seconds_bucket{le=~"0.0.*", job="api"}
rpc_duration_seconds_count
{__name__=~"rpc_.*", method="Get"}
# escaping: quotes, backslashes, unicode, newlines, regex characters
escape_metric
escape_metric{path="C:\\Program Files\\strata\\"}
escape_metric{path=`C:\Program Files\strata\`}
escape_metric{path='C:\\Program Files\\strata\\'}
escape_metric{quote='say "hi" \'there\''}
escape_metric{quote="say \"hi\" 'there'"}
escape_metric{quote=`say "hi" 'there'`}
escape_metric{path="/Zürich/東京/📈"}
escape_metric{path="/Z\u00fcrich/\u6771\u4eac/\U0001F4C8"}
escape_metric{path="/Z\xc3\xbcrich/東京/📈"}
escape_metric{path=~".*東京.*"}
escape_metric{quote=~"(?i)ÜNÏCÖDÉ"}
escape_metric{path="line1\nline2\ttab"}
escape_metric{path=~"line1.line2.tab"}
escape_metric{path=~"(?s)line1.line2.tab"}
escape_metric{path=~"line1\\nline2\\ttab"}
escape_metric{path=~"a\\.b\\*c.*"}
escape_metric{path="a.b*c+(d)[e]{f}|g^$"}
escape_metric{path=~"a.b\\*c\\+\\(d\\)\\[e\\]\\{f\\}\\|g\\^\\$"}
escape_metric{quote!~"\\?|none"}
escape_metric{case=~"back.*|uni.*"}
{__name__="odd metric \"quoted\" \\ Grüße"}
{__name__='odd metric "quoted" \\ Grüße', k="b"}
{__name__=~"odd metric .*"}
{__name__=~"otel\\..*"}
{__name__="otel.requests.count"}[2m]
job:http_requests:rate5m
{__name__="job:http_requests:rate5m", _origin="recording rule"}
job:http_requests:rate5m{_origin=~"recording.*"}
# selecting nothing
nonexistent_metric
nonexistent_metric{job="api"}
http_requests_total{job="nonexistent"}
{__name__=~"nonexistent.*"}
# offset, also negative, and @
http_requests_total offset 5m
http_requests_total offset 1h
http_requests_total offset -10m
http_requests_total offset 90s
http_requests_total offset 1h30m
http_requests_total{job="batch"} offset 1ms
queue_depth offset 2h
queue_depth offset -1h
up{job="flaky"} offset 10m
up{job="flaky"} offset -10m
http_requests_total @ $MID
http_requests_total @ $FLUSH
http_requests_total @ $BLOCK
up{job="flaky"} @ $STALE
up{job="flaky"} @ $STALEB
queue_depth @ $EARLY
queue_depth @ $LATE
http_requests_total @ $MID offset 10m
http_requests_total offset 10m @ $MID
http_requests_total @ start()
http_requests_total @ end()
queue_depth @ end() offset 1h
up @ start() offset -5m
http_requests_total{job="api"} @ 1000
up{job="flaky"} @ $STALE_AFTER
up{job="flaky"} @ $STALEB_AFTER
up{job="flaky"}[1m] @ $STALEB_AFTER
up{job="flaky"}[30s] @ $STALEB_AFTER offset -20m
# 1 ms before, at and after the flush time and a block boundary
boundary_gauge
boundary_gauge @ $FLUSH
boundary_gauge @ $BLOCK
boundary_gauge[2ms] @ $FLUSH
boundary_gauge[1ms] @ $BLOCK
boundary_gauge[1ms] @ $BLOCK offset 1ms
boundary_gauge offset 1ms @ $FLUSH
boundary_gauge[1s] @ $FLUSH offset -1ms
boundary_gauge[20s] @ $FLUSH
# range selectors
http_requests_total[5m]
http_requests_total{job="batch"}[10m]
node_temperature_celsius[2m]
up{job="flaky"}[10m]
up{job="flaky"}[10m] offset 1h
special_gauge[1m]
queue_depth[1h] @ $LATE
http_requests_total[5m] offset 1h
http_requests_total[5m] @ $FLUSH
http_requests_total[1m] @ $MID offset -1m
{__name__=~"http_request_duration_seconds_.*", instance="web-1"}[90s]
escape_metric[2m]
http_requests_total{job="api"}[2h] @ $FLUSH
http_requests_total{job="api"}[15s]
queue_depth[30m] @ end()
queue_depth[5m]
queue_depth{queue="early"}[5m]
# parentheses
(up{job="flaky"})
((queue_depth))
(http_requests_total[5m])
"""

OPERATORS = r"""
# literals and scalar arithmetic
42
-1.5e3
0x1F
Inf
-Inf
NaN
"a string"
'single \'quoted\''
`raw \n string`
1 + 2 * 3 - 4 / 2
(1 + 2) * 3 % 4
2 ^ 3 ^ 2
-2 ^ 2
(-2) ^ 2
2 ^ -1
-1 ^ 0.5
5 % -3
-5 % 3
1 / 0
-1 / 0
0 / 0
NaN * 0
Inf - Inf
1 > bool 2
2 >= bool 2
1 < bool NaN
NaN == bool NaN
Inf == bool Inf
-Inf < bool Inf
1 != bool 1
3 atan2 4
# vector and scalar
http_requests_total * 2
2 * http_requests_total
http_requests_total / 0
-http_requests_total
-(-http_requests_total)
+http_requests_total
http_requests_total % 7
http_requests_total ^ 0.5
node_temperature_celsius % 3
node_temperature_celsius % -3
node_temperature_celsius ^ 2
2 ^ node_temperature_celsius
node_temperature_celsius atan2 1
1 atan2 node_temperature_celsius
node_temperature_celsius * -1
node_temperature_celsius - - 1
node_memory_used_bytes / 1024 / 1024
NaN + http_requests_total{job="batch"}
Inf * node_temperature_celsius
node_temperature_celsius / 0
-node_temperature_celsius / 0
special_gauge * 0
special_gauge - special_gauge
special_gauge + 1
1 - special_gauge
http_requests_total{job="batch"} + 1 * 2 ^ 2
(http_requests_total{job="batch"} + 1) * 2
up{job="flaky"} * 1
queue_depth - 10
# vector and vector, one-to-one
node_memory_used_bytes / node_memory_total_bytes
node_memory_total_bytes - node_memory_used_bytes
node_memory_used_bytes / on(instance) node_memory_total_bytes
node_memory_used_bytes / ignoring(nothing) node_memory_total_bytes
requests_failed_total / requests_ok_total
requests_failed_total / on(instance) requests_ok_total
requests_failed_total + ignoring(__name__) requests_ok_total
http_requests_total - http_requests_total offset 5m
http_requests_total / http_requests_total
node_temperature_celsius - on(instance, sensor) node_temperature_celsius offset 1m
queue_depth - on(queue) queue_depth offset 1h
up * on(job, instance) http_requests_total{method="POST"}
node_memory_used_bytes + on(instance) node_cpu_cores
# many-to-one and one-to-many
node_cpu_seconds_total / on(instance) group_left node_cpu_cores
node_cpu_seconds_total / ignoring(cpu, mode) group_left node_cpu_cores
node_cpu_seconds_total * on(instance) group_left(release, nodename) node_uname_info
node_cpu_seconds_total * ignoring(cpu, mode, release, nodename) group_left(release) node_uname_info
node_uname_info * on(instance) group_right(release) node_cpu_seconds_total
node_cpu_cores * on(instance) group_right node_cpu_seconds_total
node_cpu_cores * on(instance) group_right() node_cpu_seconds_total{mode="idle"}
http_requests_total + on(job, instance) group_left up
http_requests_total * on(job, instance) group_left(nonexistent) up
up * on(job, instance) group_right http_requests_total
node_cpu_seconds_total > on(instance) group_left node_cpu_cores * 0
node_cpu_seconds_total > bool on(instance) group_left node_cpu_cores * 10000
http_requests_total / ignoring(code) group_left sum without(code) (http_requests_total)
http_requests_total{job="api"} / on(job, instance, method) group_left http_requests_total{job="api", code="200"}
# comparisons, filtering and bool
http_requests_total > 1000
http_requests_total > bool 1000
http_requests_total == 0
http_requests_total > 100 < 5000
1000 < http_requests_total
node_temperature_celsius < 0
node_temperature_celsius <= bool 0
node_temperature_celsius != node_temperature_celsius
node_temperature_celsius >= node_temperature_celsius offset 5m
node_temperature_celsius > bool node_temperature_celsius offset 5m
special_gauge > 0
special_gauge == special_gauge
special_gauge != bool special_gauge
special_gauge >= bool -Inf
special_gauge < Inf
special_gauge == Inf
special_gauge == bool NaN
node_memory_used_bytes > node_memory_total_bytes * 0.4
node_memory_used_bytes > bool on(instance) node_memory_total_bytes * 0.4
up == 0
up{job="web"} != 1
up == bool 1
0 == bool up
queue_depth{queue="late"} > 0
# logical and set operators
http_requests_total and http_requests_total{code="200"}
http_requests_total and on(job, instance) up == 1
http_requests_total and ignoring(method, code) up
http_requests_total or up
http_requests_total{job="api"} or http_requests_total{job="web"}
http_requests_total{job="batch"} or http_requests_total{job="batch"} * 100
http_requests_total unless http_requests_total{code="200"}
http_requests_total unless on(job) up{job="api"}
http_requests_total unless on(instance) up == 0
queue_depth{queue="late"} or queue_depth{queue="early"}
queue_depth{queue="late"} or on() queue_depth{queue="main"}
queue_depth unless on() queue_depth{queue="late"}
up == 1 or up == 0
node_cpu_seconds_total and on() node_cpu_cores
node_cpu_seconds_total unless ignoring(mode) node_cpu_seconds_total{mode="idle"}
node_temperature_celsius > 0 and on(instance) node_cpu_cores
up{job="flaky"} or up{job="api"}
special_gauge and special_gauge > 0
nonexistent_metric or up{job="web"}
up{job="web"} and nonexistent_metric
up{job="web"} unless nonexistent_metric
# precedence, associativity, names
http_requests_total{job="batch"} + 1 > bool 100 * 2
1 + 2 > bool 2 + 1
http_requests_total > 10 and http_requests_total < 1000 or up
up or http_requests_total and http_requests_total{code="500"}
2 * 3 ^ 2 * http_requests_total{job="batch"}
-http_requests_total{job="batch"} ^ 2
(-http_requests_total{job="batch"}) ^ 2
http_requests_total{job="batch"} / 2 / 3
http_requests_total{job="batch"} - 2 - 3
2 ^ 2 ^ -1 * up{job="api"}
node_temperature_celsius + 0
node_temperature_celsius > 0
node_temperature_celsius > bool 0
node_temperature_celsius and node_temperature_celsius
-node_temperature_celsius
escape_metric * 1
escape_metric{case="newline"} + on(path) escape_metric
up{job="api"} == bool 1 == 1
"""

# topk/bottomk: inputs chosen so that no two values tie at the cut (which of
# two equal values Prometheus keeps is an accident of its heap); NaN against
# numbers is covered (special_gauge)
AGGREGATIONS = r"""
sum(http_requests_total)
sum by (job) (http_requests_total)
sum(http_requests_total) by (job)
sum without (instance) (http_requests_total)
sum(http_requests_total) without (instance, method, code)
sum by (canary) (http_requests_total)
sum by (nonexistent) (http_requests_total)
sum without (nonexistent) (http_requests_total{job="batch"})
sum by (__name__) ({__name__=~"requests_.*"})
sum without (__name__) ({__name__=~"requests_.*"})
sum by (job, code) (http_requests_total)
sum by () (up)
sum(nonexistent_metric)
avg by (instance) (node_temperature_celsius)
avg(http_requests_total) by (job, method)
avg without (cpu) (node_cpu_seconds_total)
min(node_temperature_celsius)
max by (sensor) (node_temperature_celsius)
min by (job) (up)
max(node_memory_used_bytes) by (instance)
count(http_requests_total)
count by (job) (http_requests_total)
count without (code) (http_requests_total)
count(nonexistent_metric)
count(count by (instance) (node_cpu_seconds_total))
group by (job) (http_requests_total)
group(up)
group without (le) (http_request_duration_seconds_bucket)
stddev(node_temperature_celsius)
stdvar by (sensor) (node_temperature_celsius)
stddev by (job) (http_requests_total)
stdvar(http_requests_total{job="api"})
stddev(node_cpu_cores)
topk(3, http_requests_total)
topk(1, http_requests_total) by (job)
topk by (job, method) (2, http_requests_total)
bottomk(2, node_temperature_celsius)
bottomk by (instance) (1, node_temperature_celsius)
topk(2, special_gauge)
bottomk(2, special_gauge)
topk(1, special_gauge{kind=~"nan|precise"})
# node_cpu_cores has no sample yet at the start of the 6 hours: scalar() is
# NaN there and the range query over them fails (422 "Scalar value NaN
# overflows int64")
topk(scalar(node_cpu_cores{instance="node-1"}), http_requests_total)
topk(1 + 1, queue_depth)
topk(0, http_requests_total)
topk(100, up)
bottomk(2.9, node_cpu_seconds_total)
topk(2, sum by (job) (http_requests_total))
quantile(0.5, node_temperature_celsius)
quantile(0.9, http_requests_total)
quantile by (job) (0.99, http_requests_total)
quantile(0, queue_depth)
quantile(1, queue_depth)
quantile(-1, queue_depth)
quantile(2, queue_depth)
quantile(NaN, queue_depth)
quantile(0.5, special_gauge)
quantile(scalar(node_cpu_cores{instance="node-2"}) / 4, node_temperature_celsius)
count_values("value", up)
count_values by (job) ("v", up)
count_values("value", node_cpu_cores)
count_values("x", special_gauge)
count_values("instance", node_cpu_cores)
count_values without (instance) ("cores", node_cpu_cores)
count_values("q", queue_depth)
sum(special_gauge)
avg(special_gauge)
min(special_gauge)
max(special_gauge)
max by (kind) (special_gauge)
min by (kind) (special_gauge)
stddev(special_gauge)
stdvar by (kind) (special_gauge)
count(special_gauge > 0)
group by (kind) (special_gauge)
sum(special_gauge{kind="precise"})
avg(special_gauge{kind=~"inf|neginf"})
sum(up{job="flaky"})
count by (job) (up)
sum by (instance) (node_memory_used_bytes) / sum by (instance) (node_memory_total_bytes)
sum(sum by (job) (http_requests_total))
max(count by (job) (up))
sum by (job) (http_requests_total) / on(job) group_left count by (job) (up)
sum by (le) (http_request_duration_seconds_bucket)
sum by (le, instance) (http_request_duration_seconds_bucket{job="api"})
sum by (code) (http_requests_total{job="api"}) / ignoring(code) group_left sum(http_requests_total{job="api"})
min by (job) (up) == 0
sum without (mode) (node_cpu_seconds_total{mode!="idle"}) / sum without (mode) (node_cpu_seconds_total)
avg(queue_depth)
avg(node_memory_total_bytes)
sum by (path) (escape_metric)
count_values("path", escape_metric * 0)
count_values("__name__", node_cpu_cores)
sum by (__name__) ({__name__=~"odd.*|otel.*"})
count_values("name", {__name__=~"odd.*"} > 0)
"""

FUNCTIONS = r"""
# counters
rate(http_requests_total[5m])
rate(http_requests_total[1m])
rate(http_requests_total{job="batch"}[2m])
rate(http_requests_total[1h])
rate(http_requests_total[5m] offset 30m)
rate(http_requests_total[5m] @ $MID)
rate(http_requests_total[5m] offset -5m)
rate(node_cpu_seconds_total[5m])
rate(up{job="flaky"}[5m])
rate(special_gauge[5m])
rate(queue_depth{queue="late"}[10m])
rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])
irate(http_requests_total[5m])
irate(http_requests_total{job="batch"}[3m])
irate(node_cpu_seconds_total[1m])
irate(special_gauge[1m])
increase(http_requests_total[10m])
increase(http_requests_total[1h])
increase(http_requests_total[90s])
increase(http_request_duration_seconds_count[15m])
sum by (job) (rate(http_requests_total[5m]))
sum without (instance) (increase(http_requests_total[30m]))
delta(node_temperature_celsius[10m])
delta(queue_depth[30m])
delta(special_gauge[5m])
delta(queue_depth{queue="early"}[1h])
idelta(node_temperature_celsius[2m])
idelta(queue_depth[5m])
idelta(http_requests_total[1m])
deriv(node_temperature_celsius[15m])
deriv(node_memory_used_bytes[10m])
deriv(special_gauge{kind="precise"}[10m])
deriv(queue_depth[1h])
predict_linear(node_memory_used_bytes[30m], 3600)
predict_linear(node_temperature_celsius[10m], -600)
predict_linear(queue_depth[15m], 0)
predict_linear(http_requests_total[10m], 86400)
resets(http_requests_total[1h])
resets(http_requests_total[6h])
resets(node_cpu_seconds_total[4h])
resets(queue_depth[30m])
changes(up[1h])
changes(queue_depth[10m])
changes(special_gauge[5m])
changes(up{job="flaky"}[30m])
holt_winters(node_temperature_celsius[10m], 0.5, 0.5)
holt_winters(queue_depth[30m], 0.1, 0.9)
holt_winters(node_memory_used_bytes[1h], 0.9, 0.1)
holt_winters(queue_depth{queue="late"}[30s], 0.5, 0.5)
deriv(node_cpu_cores[10m])
predict_linear(node_cpu_cores[10m], 100)
rate(http_requests_total[20s])
# over time
avg_over_time(node_temperature_celsius[10m])
min_over_time(node_temperature_celsius[30m])
max_over_time(node_temperature_celsius[30m])
sum_over_time(queue_depth[10m])
count_over_time(http_requests_total[5m])
count_over_time(up{job="flaky"}[10m])
count_over_time({__name__=~"queue_depth|up"}[3m])
count_over_time(queue_depth{queue="early"}[5m])
count_over_time(boundary_gauge[2ms] @ $FLUSH)
last_over_time(up{job="flaky"}[1m] @ $STALEB_AFTER)
# long windows: block chunks that a window holds whole are answered from
# their statistics (count, min, max, last), the chunks it cuts decoded
count_over_time(http_requests_total[3h])
last_over_time({__name__=~".+"}[6h])
max_over_time(node_temperature_celsius[6h])
min_over_time(node_temperature_celsius[2h] offset 30m)
min_over_time(http_requests_total[4h] @ $MID)
max_over_time(up{job="flaky"}[6h])
last_over_time(queue_depth[4h])
last_over_time(http_requests_total[5h] offset 1h)
present_over_time(up[5h])
max_over_time(boundary_gauge[3h] @ $FLUSH)
count_over_time(http_requests_total[90m] @ $FLUSH)
quantile_over_time(0.5, node_temperature_celsius[15m])
quantile_over_time(0.95, http_requests_total[10m])
quantile_over_time(0, queue_depth[10m])
quantile_over_time(1, queue_depth[10m])
quantile_over_time(-0.5, queue_depth[10m])
quantile_over_time(1.5, queue_depth[10m])
quantile_over_time(NaN, queue_depth[10m])
quantile_over_time(0.5, special_gauge[5m])
stddev_over_time(node_temperature_celsius[10m])
stdvar_over_time(queue_depth[30m])
stddev_over_time(special_gauge[3m])
last_over_time(queue_depth[10m])
last_over_time(up{job="flaky"}[10m])
last_over_time(special_gauge[1m])
present_over_time(queue_depth[5m])
present_over_time(up{job="flaky"}[2m])
absent_over_time(nonexistent_metric[5m])
absent_over_time(queue_depth{queue="late"}[10m])
absent_over_time(queue_depth{queue="early"}[10m])
absent_over_time(nonexistent_metric{job="x", instance=~"y", code!="5"}[5m])
avg_over_time(special_gauge[2m])
sum_over_time(special_gauge[2m])
max_over_time(special_gauge[2m])
min_over_time(special_gauge[2m])
sum_over_time(up{job="flaky"}[20m])
avg_over_time(node_cpu_seconds_total[1h] offset 1h)
# classic histograms
histogram_quantile(0.9, http_request_duration_seconds_bucket)
histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))
histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
histogram_quantile(0.9, sum by (job, le) (rate(http_request_duration_seconds_bucket[10m])))
histogram_quantile(0.5, sum by (le, method) (rate(rpc_duration_seconds_bucket[5m])))
histogram_quantile(0.75, increase(rpc_duration_seconds_bucket[30m]))
histogram_quantile(0, rate(rpc_duration_seconds_bucket[5m]))
histogram_quantile(1, rate(rpc_duration_seconds_bucket[5m]))
histogram_quantile(-0.1, rate(rpc_duration_seconds_bucket[5m]))
histogram_quantile(1.1, rate(rpc_duration_seconds_bucket[5m]))
histogram_quantile(NaN, rate(rpc_duration_seconds_bucket[5m]))
histogram_quantile(0.9, rpc_duration_seconds_bucket{le!="+Inf"})
histogram_quantile(0.9, http_requests_total)
histogram_quantile(0.5, sum by (le) (rpc_duration_seconds_bucket) - sum by (le) (rpc_duration_seconds_bucket offset 10m))
histogram_quantile(scalar(node_cpu_cores{instance="node-1"}) / 4, rate(http_request_duration_seconds_bucket{job="web"}[5m]))
# labels
label_replace(up, "host", "$1", "instance", "(.*):.*")
label_replace(up, "host", "$1", "instance", "(.*):9090")
label_replace(http_requests_total, "code_class", "${1}xx", "code", "(.).*")
label_replace(up{job="web"}, "job", "$2-$1", "instance", "(.*)-(.*)")
label_replace(up, "new", "static", "", "")
label_replace(up, "new", "$1", "nonexistent", "(.*)")
label_replace(escape_metric, "p2", "[$1]", "path", "(.*)")
label_replace(up{job="api"}, "__name__", "renamed", "", "")
label_replace(up{job="web"}, "instance", "", "instance", "web-1")
label_replace(up{job="api"}, "x", "$1$1", "instance", "10\\.0\\.0\\.(\\d):.*")
label_replace(rate(http_requests_total[5m]), "job", "j-$1", "job", "(.*)")
label_replace(up, "x", "$1$2-${1}0-$10", "instance", "(.)(.)?.*")
label_replace(up, "x", "${port}/${host}", "instance", "(?P<host>[^:]*):(?P<port>\\d+)")
label_replace(up{job="web"}, "x", "${b}|${a}|$1", "instance", "\\Q(\\E?(?P<a>web)-(?P<b>\\d)")
label_replace(up{job="web"}, "x", "${b}|${a}", "instance", "[(](?P<nope>x)?|(?P<a>web)-(?P<b>\\d)")
label_join(up, "joined", ",", "job", "instance")
label_join(up, "joined", "", "instance")
label_join(http_requests_total, "key", "/", "job", "method", "code", "nonexistent")
label_join(up, "job", "-", "job", "instance")
label_join(up{job="api"}, "empty", "-")
label_join(escape_metric, "both", "|", "path", "quote")
label_replace({__name__=~"odd.*"}, "first", "$1", "__name__", "(\\w+) .*")
rate({__name__="otel.requests.count"}[5m])
# absent
absent(nonexistent_metric)
absent(nonexistent_metric{job="x", instance=~"y.*", code!="5"})
absent(nonexistent_metric{job="x", job="y"})
absent(up)
absent(sum(nonexistent_metric))
absent(up{job="flaky", instance="flaky-1"})
absent(queue_depth{queue="late"})
absent(nonexistent_metric offset 1h)
absent({__name__="nonexistent_metric", x="y"})
absent(vector(1))
# math
abs(node_temperature_celsius)
ceil(node_temperature_celsius)
floor(node_temperature_celsius)
exp(node_temperature_celsius)
ln(node_temperature_celsius)
log2(node_memory_used_bytes)
log10(node_memory_used_bytes)
sqrt(node_temperature_celsius)
sgn(node_temperature_celsius)
abs(special_gauge)
exp(special_gauge)
# special_gauge{kind="precise"} holds the subnormal 5e-324: Prometheus 2.42
# (Debian's amd64 build) answers ln(5e-324) = -709.0896 and ln(1e-310) =
# -709.085, as if subnormals had the smallest normal exponent (log2 and sqrt
# are exact); the C library gives -744.44 and -713.80
ln(special_gauge)
sqrt(special_gauge{kind="precise"})
ceil(special_gauge)
floor(special_gauge{kind="precise"})
sgn(special_gauge)
clamp(node_temperature_celsius, -5, 40)
clamp(node_temperature_celsius, 10, 0)
clamp(special_gauge, -1, 1)
clamp_min(node_temperature_celsius, 0)
clamp_max(node_temperature_celsius, 0)
clamp_min(special_gauge, NaN)
clamp_max(special_gauge{kind="mixed"}, 2)
round(node_temperature_celsius)
round(node_temperature_celsius, 0.5)
round(node_temperature_celsius, 10)
round(node_temperature_celsius, 0.1)
round(special_gauge{kind="precise"})
round(special_gauge{kind="precise"}, 0.01)
round(queue_depth / 3, scalar(node_cpu_cores{instance="node-1"}))
# trigonometry
sin(node_temperature_celsius)
cos(node_temperature_celsius)
tan(node_temperature_celsius)
asin(node_temperature_celsius / 100)
acos(node_temperature_celsius / 100)
atan(node_temperature_celsius)
sinh(node_temperature_celsius / 10)
cosh(node_temperature_celsius / 10)
tanh(node_temperature_celsius)
asinh(node_temperature_celsius)
acosh(node_temperature_celsius)
atanh(node_temperature_celsius / 100)
asin(special_gauge)
deg(node_temperature_celsius)
rad(node_temperature_celsius)
deg(rad(node_temperature_celsius))
pi()
pi() * 2
sin(vector(pi() / 6))
# time
time()
time() - 3600
vector(time())
timestamp(http_requests_total)
timestamp(up{job="flaky"})
timestamp(http_requests_total offset 10m)
timestamp(http_requests_total @ $MID)
timestamp(sum(up))
timestamp(queue_depth{queue="early"})
time() - timestamp(http_requests_total{job="batch"})
year()
month()
day_of_month()
day_of_week()
day_of_year()
days_in_month()
hour()
minute()
year(vector(1700000000))
month(vector(1709251199))
day_of_month(vector(951782400))
day_of_week(vector(0))
day_of_year(vector(1735603200))
days_in_month(vector(1706745600))
days_in_month(vector(4107542400))
hour(timestamp(up{job="api"}))
minute(timestamp(http_requests_total))
year(vector(-1))
month(queue_depth * 86400 * 30)
# sorting, scalar, vector
sort(node_temperature_celsius)
sort_desc(http_requests_total)
sort(special_gauge)
sort_desc(special_gauge)
sort(rate(http_requests_total[5m]))
sort_desc(sum by (job) (http_requests_total))
sort(queue_depth)
sort_desc(node_cpu_seconds_total)
scalar(up{instance="web-1"})
scalar(up)
scalar(nonexistent_metric)
scalar(sum(up))
scalar(special_gauge{kind="mixed"})
vector(1)
vector(scalar(sum(up)))
vector(NaN)
vector(1) + up{job="api"}
sum(vector(1))
group(vector(1))
"""

SUBQUERIES = r"""
http_requests_total[30m:1m]
http_requests_total{job="batch"}[30m:]
rate(http_requests_total[5m])[30m:1m]
max_over_time(rate(http_requests_total[5m])[30m:1m])
max_over_time(rate(http_requests_total[5m])[30m:])
avg_over_time(node_temperature_celsius[1h:5m])
min_over_time(node_temperature_celsius[1h:7m] offset 10m)
sum_over_time(up{job="flaky"}[30m:30s])
count_over_time(up{job="flaky"}[30m:1m])
max_over_time(up{job="flaky"}[1h:1m] @ $STALE)
last_over_time(queue_depth[2h:10m] @ end())
rate(http_requests_total[10m:30s])
increase(http_requests_total[1h:1m])
deriv(node_temperature_celsius[10m:1m])
max_over_time(deriv(rate(http_requests_total[5m])[10m:1m])[1h:5m])
sum_over_time(sum by (job) (http_requests_total)[20m:2m])
avg_over_time(sum(rate(http_requests_total[5m]))[1h:])
quantile_over_time(0.9, rate(http_requests_total[5m])[1h:5m])
http_requests_total[10m:1m] offset 1h
http_requests_total[10m:1m] @ $MID
http_requests_total[10m:1m] @ $MID offset 5m
http_requests_total[10m:1m] offset -10m
changes(up{job="flaky"}[2h:1m])
resets(http_requests_total[2h:1m])
absent_over_time(nonexistent_metric[10m:1m])
present_over_time(queue_depth[30m:1m])
predict_linear(node_temperature_celsius[30m:1m], 600)
max_over_time((node_temperature_celsius > 0)[30m:1m])
stddev_over_time(node_temperature_celsius[1h:90s])
min_over_time(rate(http_requests_total[1m])[5m:15s])
count_over_time(vector(1)[10m:1m])
sum_over_time(queue_depth[7m:1m] @ start())
avg_over_time(queue_depth{queue="late"}[2h:5m])
max_over_time(queue_depth{queue="early"}[2h:5m])
irate(node_cpu_seconds_total[5m:1m])
min_over_time(sum_over_time(queue_depth[5m:1m])[15m:5m])
last_over_time(http_requests_total{job="batch"}[10m:17s])
max_over_time(special_gauge[5m:1m])
avg_over_time(http_requests_total[3m:1m] offset 1h30m)
count_over_time(up{job="flaky"}[1h:1m] @ $STALEB)
sum_over_time(timestamp(up{job="flaky"})[10m:1m])
"""

# Run only with the odd API parameters of test_promql_diff.py (times with
# fractions of a millisecond, RFC 3339 times, steps as durations and with
# fractions of a millisecond), not with the ordinary ones.
PARAMETERS = r"""
queue_depth
up{job="flaky"}
queue_depth offset 1m
queue_depth @ end()
queue_depth @ start()
http_requests_total{job="batch"}[2m]
1 + 1
"s"
time()
timestamp(queue_depth)
rate(http_requests_total{job="api"}[5m])
"""

ERRORS = r"""
# vector matching that Prometheus refuses at evaluation (422 execution)
node_cpu_seconds_total + on(instance) node_cpu_cores
node_cpu_cores + on(instance) node_cpu_seconds_total
requests_failed_total / ignoring(instance) requests_ok_total
node_cpu_seconds_total * on(instance) group_left node_cpu_seconds_total
node_cpu_seconds_total * on(instance, cpu) group_right node_cpu_seconds_total
node_memory_used_bytes + on() node_memory_total_bytes
http_requests_total - ignoring(code) http_requests_total
up + on(job) group_left up
# duplicate label sets once the name is dropped
rate({__name__=~"requests_.*_total"}[5m])
abs({__name__=~"requests_.*_total"})
{__name__=~"requests_.*_total"} * 2
{__name__=~"requests_.*_total"} > bool 1
label_replace(up{job="api"}, "instance", "", "instance", ".*")
label_join(up{job="web"}, "instance", "", "job")
sum_over_time({__name__=~"requests_.*_total"}[5m])
timestamp({__name__=~"requests_.*_total"})
# execution errors of functions and aggregations
label_replace(up, "1invalid", "x", "", "")
label_replace(up, "dst", "x", "instance", "[")
label_join(up, "1bad", ",", "job")
count_values("1bad", up)
# parse and type errors (400 bad_data)
http_requests_total * on(instance, job) group_left(job) up
{__name__!~"http.*|node.*|special.*|escape.*|rpc.*|up|queue.*|requests.*|job.*"}
label_join(up{job="api"}, "empty")
sin(pi())
topk("x", up)
quantile("x", up)
http_requests_total[5m] + 1
rate(http_requests_total)
sum(http_requests_total[5m])
http_requests_total offset 5m offset 1m
http_requests_total @ 1 @ 2
time() @ 5
1 and 2
{}
{job=~".*"}
{__name__=~".*"}
http_requests_total{job=~"["}
http_requests_total{job=~"a{2,1}"}
scalar("x")
vector(http_requests_total)
absent(nonexistent_metric[5m])
http_requests_total[5m:1m:1m]
time()[10m:1m]
round(up, "x")
1 + "a"
"a" + "b"
-"a"
count_values(up, up)
label_replace(up, "a", "b", "c")
histogram_quantile(0.9)
holt_winters(queue_depth[30m], 1.5, 0.5)
holt_winters(queue_depth[30m], 0.5, 0)
unknown_function(up)
sum by (job) (up) by (instance)
http_requests_total[5m] offset
foo bar
http_requests_total{job="api",}[5m] @
1 +
)
"""


def _parse(text):
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("# "):
            continue
        yield s


CORPUS = {
    "selectors": list(_parse(SELECTORS)),
    "operators": list(_parse(OPERATORS)),
    "aggregations": list(_parse(AGGREGATIONS)),
    "functions": list(_parse(FUNCTIONS)),
    "subqueries": list(_parse(SUBQUERIES)),
    "errors": list(_parse(ERRORS)),
    "parameters": list(_parse(PARAMETERS)),
}


def queries():
    """(category, query) in corpus order."""
    for cat, qs in CORPUS.items():
        for q in qs:
            yield cat, q


def duplicates():
    """[(category, query)] of queries found again outside "parameters" (which
    repeats some on purpose, to run them with its odd API parameters)."""
    seen, out = set(), []
    for cat, q in queries():
        if cat != "parameters" and q in seen:
            out.append((cat, q))
        seen.add(q)
    return out


if __name__ == "__main__":
    for cat, qs in CORPUS.items():
        print(f"{cat}: {len(qs)}")
    for cat, q in duplicates():
        print(f"  duplicate: [{cat}] {q}")
    print(f"total: {sum(len(q) for q in CORPUS.values())}, distinct: {len(set(q for _, q in queries()))}")
