r"""influxql_corpus: the SELECT queries of test_influx_select.py, by
category, written for the data of influxql_data.py (measurements cpu,
sensors, weather). Shapes are those Grafana's InfluxDB data source
(InfluxQL mode) and the influx CLI send.

Placeholders, filled in by the test (see fill()):
  {db}                       the database's name
  {start} {mid} {end}        END - 2h (the first cpu point), END - 1h, END
                             (the anchor, a whole hour; cpu's last point is
                             END - 10s), in nanoseconds
  {dst}                      the change of summer time inside the dst
                             measurement
  {wstart}                   the first weather point (END - 3 days)
  {sfirst} {slast}           the first / last sensors point (sub-second ns)
  {X_ms} {X_s} {X_u}         X (any of the above) in ms / s / us
  {X_rfc}                    X as an RFC 3339 string, nanoseconds when not
                             whole seconds ('2024-01-01T10:00:00.123456789Z')
  {X_rfc2}                   the same at +02:00 ('2024-01-01T12:00:00+02:00')
  {X_sql} {X_day}            '2024-01-01 10:00:00', '2024-01-01' (UTC)
  $timeFilter                Grafana's: time >= {mid_ms}ms and time <= {end_ms}ms
  $__interval                Grafana's: 1m
Every query outside "errors" must run without an error on InfluxDB 1.6
(the test reports any that does not: the corpus needs fixing then); every
query in "errors" must be refused by it (HTTP 400 or a statement error).
Queries with now() run only when the clock is at least 1 s away from a
multiple of 10 s (all cpu/weather points are on such multiples), so both
servers see the same points.

--------------------------------------------------------------------------
What InfluxDB 1.6.7 (Debian's) does, found with these queries: what an
implementer must match. Times below are from one run (END = 06:00Z).

Answer framing
* {"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time",
  "mean"],"values":[["2026-12-07T04:00:00Z",50.46]]}]}]}; "tags" only with
  GROUP BY tags ({"hostname":"host_0"}), never {}; a statement without rows
  is {"statement_id":0} (no "series"). GROUP BY a tag (or a field!) that a
  series lacks gives that tag "": GROUP BY "status" -> "tags":{"status":""}.
* Statement errors: 200 {"results":[{"statement_id":0,"error":"undefined
  function nosuchfunction()"}]}. Parse errors: HTTP 400 {"error":"error
  parsing query: found EOF, expected identifier, string, number, bool at
  line 1, char 8"}, nothing runs, not even the statements before the bad
  one. Texts seen: "invalid number of arguments for mean, expected 1, got
  0", "mixing aggregate and non-aggregate queries is not supported",
  "GROUP BY requires at least one aggregate function", "aggregate function
  required inside the call to derivative", "derivative aggregate requires a
  GROUP BY interval", "unsupported mean iterator type:
  *query.stringInterruptIterator" (mean of a string; sum of a bool says
  *query.booleanInterruptIterator), "database not found: nosuchdb",
  "retention policy not found: nosuchrp", "invalid operation: time and
  *influxql.StringLiteral are not compatible", "limit (0) in top function
  must be at least 1", "expected integer as last argument in top(), found
  hostname", "moving_average window must be greater than 1, got 0",
  "duration argument must be positive, got 0s", "exponential_moving_average
  warmup type must be one of: 'exponential' 'simple'" (only
  chande_momentum_oscillator also takes 'none'); 400s: "error parsing
  query: only ORDER BY time supported at this time", "... unable to find
  time zone Mars/Olympus", "... expected number argument in fill()",
  "... invalid duration" (1700000000000000us: the unit is u or µ, not us),
  "... found LIMIT, expected ;" (tz() must come last, after LIMIT).
* After a statement fails at run time, every later statement of the
  request answers "not executed" under the FAILING statement's id; without
  chunking these merge into one result, so the real error is lost:
  "SELECT mean(status) FROM sensors; SELECT 1..." ->
  {"results":[{"statement_id":0,"error":"not executed"}]}, and
  "SELECT count(temp)...; SELECT mean(status)...; SELECT count(temp)..." ->
  [{"statement_id":0,"series":[...]},{"statement_id":1,"error":"not
  executed"}]. Chunked, each is its own line: {...1,"error":"unsupported
  mean iterator type..."} then {...1,"error":"not executed"} per statement.
* chunked=true: one JSON object per line, one series per object; a series
  longer than chunk_size (default 10000) is cut, each piece but the last
  has "partial":true on the series AND on the result; a piece that ends a
  series with more series of the statement to come has "partial":true on
  the result only; the last object of a statement has neither. Empty
  statement: {"results":[{"statement_id":0}]}. Parse errors: the same 400.
* epoch: absent = RFC 3339 UTC with the fraction trimmed of zeros
  ("04:00:35.60734209Z", "04:00:00Z"); ns|u|ms|s|m|h = integers truncated
  to the unit (epoch=h can repeat a time: 50m buckets -> 499060, 499060).
  With tz(), RFC 3339 times carry the zone's offset
  ("2026-12-07T09:30:19.555334287+05:30"); epoch numbers are unchanged.
* Numbers as Go's encoding/json writes them: 100 (not 100.0) for a float
  100, integers as integers. Division by zero gives 0 (floats and
  integers, also %); integer / integer is a float division (humidity / 3
  -> 17.666666666666668). NaN (ln, sqrt, log10 of a negative) is null and
  the row stays.

Columns
* SELECT *: time, then fields and tags together sorted by name (arch,
  datacenter, hostname, os, rack, region, service, team, usage_guest, ...).
  *::field: fields only; *::tag, f: tags then f. A SELECT of tags only
  (location::tag) answers nothing. FROM several measurements with *: the
  union of all their keys on every series (sensors gets humidity=null).
* Names: the function ("mean"), the field ("usage_user" for usage_user * 2
  and 100 - usage_idle), fields joined by "_" (usage_user + usage_system ->
  "usage_user_usage_system", mean(a) + mean(b) -> "mean_mean", max - min
  -> "max_min"), AS. Repeats get _1, _2 in order: count(status),
  count(online), count(temp) -> count, count_1, count_2; SELECT usage_user,
  usage_user -> usage_user, usage_user_1; SELECT time, x -> time, x.
  count(*) / mean(*) / count(/re/) -> one column per field, sorted:
  count_level, count_online, ...; a field missing from the data is a null
  column (SELECT usage_user, nosuchfield); only missing fields: no rows.

Raw queries and WHERE
* Without GROUP BY every series of a measurement is one series named after
  it, rows by time; rows of different series with the SAME time come in
  InfluxDB's heap-merge order, which depends on the field list (london,
  tokyo, paris for SELECT *, london, paris, tokyo for temperature,
  location): the test compares equal-time rows as a multiset, and the
  corpus cuts such merges (LIMIT) only at whole timestamps. For the same
  reason first()/last() over several series whose points share times have
  no derivable winner and are left out.
* A row appears when at least one selected field has a value; the others
  are null. FROM a, b: one series per measurement, by name.
* Time bounds are pulled out of the whole WHERE, even under OR:
  "time > X OR hostname = 'host_1'" counts like "time > X" ANDed with the
  rest; "hostname = 'host_1' OR hostname = 'host_2' AND time >= T" keeps
  only points after T. Literals: integers (ns), 1700000000000ms, s, u, µ,
  ns; strings '2026-12-07T05:00:00Z', with a fraction or an offset
  (+02:00), '2026-12-07 05:00:00', '2026-12-07'; arithmetic on them
  ('...' - 500ms, now() - 1h).
* LIMIT 0 means no limit; LIMIT/OFFSET count rows per series, SLIMIT/
  SOFFSET series. ORDER BY time DESC also reverses the order of the
  series (d3, d2, d1) and is applied before derivative() (whose values
  then change sign); top()/bottom() stay in ascending time.
* With two transforms (cumulative_sum, difference) LIMIT 10 limits each
  function, so the answer has 11 rows (one null at each end).

Aggregates, selectors, GROUP BY time
* Without GROUP BY time an aggregate's time is 0 ("1970-01-01T00:00:00Z"),
  or the lower time bound when the query has one (time > X gives X + 1 ns,
  "05:00:00.000000001Z"; with now() - 1h the time moves with the clock).
* A selector alone (max, min, first, last, percentile, top, bottom,
  sample) gives the selected point's time, and "SELECT max(temp), device"
  that point's other fields/tags; two selectors (min, max) give time 0.
  With GROUP BY time the bucket start, except top/bottom/sample: the
  points' own times. top(f, N): the N largest, answered in time order;
  top(f, tag, N): the largest per tag value, then the N largest of those.
  percentile(f, 0) answers nothing. distinct(): values in order of first
  appearance (equal times by value). mode(): the most frequent value, ties
  by a rule we could not derive (the data avoids ties). elapsed(f, 1m) on
  10 s steps is 0 (integer division).
* abs() of an INTEGER returns it unchanged (abs(reading * -1) = -920): a
  1.6 bug; one query keeps it (a deliberate difference can be declared).
* integral() with GROUP BY time and a tag puts each series' last bucket
  into a second series of the same name and tags, in random order: a 1.6
  bug, left out (integral with GROUP BY time alone is fine).
* GROUP BY time(i): buckets aligned to the epoch (1w buckets start on
  Thursdays); (i, offset) shifts them; time(0s) = no GROUP BY time.
  Without a lower bound the first bucket is the one of the first point
  that passes the WHERE (usage_user > 19 -> 04:20, not 04:00); without an
  upper bound the last bucket is the one holding now(); with time <= END
  the bucket starting at END is included (null). count() gives 0 for an
  empty bucket (fill(null) too), fill(N) gives N.
* fill(previous) leaves buckets before the first value null and carries
  strings and bools too; fill(linear) fills only between two values
  (leading and trailing empty buckets stay null); fill(none) drops empty
  buckets; fill(N) also fills leading/trailing buckets.
* derivative/difference/moving_average/... of an aggregate skip null
  buckets (fill(none) and fill(null) give the same derivative rows), and
  they read buckets BEFORE the lower time bound: difference(mean(temp))
  over [T, T+10m) GROUP BY time(5m) answers a row at T, the difference to
  the bucket T-5m; moving_average(mean(temp), 2) likewise averages T-5m
  and T. Raw, they run over the merged series when there is no GROUP BY
  (difference of temp across devices).
* holt_winters(agg, N, S) answers N forecast buckets starting at the
  bucket after the last one; holt_winters_with_fit the fitted buckets too
  (from the first bucket with a value on, gaps included). It reads no
  bucket before the lower time bound, its rows may lie past the upper one
  (other columns null there, whatever the fill), and ORDER BY time DESC
  gives no row. S < 2 means no season.
* The technical-analysis functions take every value (a bucket's: fill
  applies first) and give a row from the (hold + 1)-th value on; their
  averages' warmups and the hold defaults are gota's (query/internal/gota).
  RSI and the smoothed CMO compare the first value with 0; an output of
  NaN (0/0) is a row with null; chande_momentum_oscillator(x, 1) panics
  (statement_id -1) once a value comes.

Time zones
* tz('Europe/Paris') GROUP BY time(1d): buckets start at local midnight,
  printed "2026-12-04T00:00:00+01:00"; across a summer time change days
  have 23 or 25 hours (counts 23 / 25 on hourly data) and the offset
  changes inside one answer (..."2026-10-25T00:00:00+02:00",
  "2026-10-26T00:00:00+01:00"); 1h buckets show 02:00+02:00 then
  02:00+01:00. GROUP BY time(1d, 6h) keeps the offset of the bucket before
  the change: "2026-10-25T05:00:00+01:00" (25 hours). No day-bucket bug
  beyond that was found (1d, 2d, 6h, 30m, 1w checked across both changes).
--------------------------------------------------------------------------
"""
import re

CORPUS = [
    # ---------------------------------------------------------------- raw
    ("raw", "SELECT usage_user FROM cpu WHERE hostname = 'host_0' AND time >= {start} AND time < {end}"),
    ("raw", "SELECT usage_user, usage_system FROM cpu WHERE hostname = 'host_1' LIMIT 20"),
    ("raw", "SELECT * FROM cpu WHERE hostname = 'host_2' LIMIT 5"),
    ("raw", "SELECT * FROM cpu LIMIT 30"),
    ("raw", "SELECT * FROM cpu WHERE time >= {end} - 30s"),
    ("raw", "SELECT *::field FROM cpu WHERE hostname = 'host_3' LIMIT 4"),
    ("raw", "SELECT *::tag, usage_idle FROM cpu WHERE hostname = 'host_3' LIMIT 4"),
    ("raw", "SELECT usage_user, hostname, region FROM cpu WHERE time >= {mid} AND time < {mid} + 30s"),
    ("raw", "SELECT usage_user AS u, usage_system AS \"sys tem\" FROM cpu WHERE hostname = 'host_4' LIMIT 3"),
    ("raw", "SELECT \"usage_user\" FROM \"cpu\" WHERE \"hostname\" = 'host_5' LIMIT 3"),
    ("raw", "SELECT usage_user, usage_user FROM cpu WHERE hostname = 'host_5' LIMIT 3"),
    ("raw", "SELECT * FROM sensors"),
    ("raw", "SELECT * FROM sensors WHERE device = 'd1' LIMIT 50"),
    ("raw", "SELECT temp FROM sensors"),
    ("raw", "SELECT status, online FROM sensors WHERE device = 'd2'"),
    ("raw", "SELECT reading, temp, status, online, level FROM sensors WHERE device = 'd3' LIMIT 40"),
    ("raw", "SELECT temp, device FROM sensors WHERE time >= {sfirst} AND time <= {sfirst} + 1m"),
    ("raw", "SELECT * FROM weather"),
    ("raw", "SELECT temperature FROM weather WHERE location = 'paris'"),
    ("raw", "SELECT temperature, humidity, location FROM weather WHERE time >= {end} - 6h"),
    ("raw", "SELECT humidity FROM weather WHERE location = 'tokyo' AND time > {end} - 12h"),
    ("raw", "SELECT nosuchfield FROM cpu"),
    ("raw", "SELECT usage_user, nosuchfield FROM cpu WHERE hostname = 'host_6' LIMIT 3"),
    ("raw", "SELECT usage_user FROM nosuchmeasurement"),
    ("raw", "SELECT usage_user FROM cpu WHERE hostname = 'host_99'"),
    ("raw", "select usage_user from cpu where hostname = 'host_7' limit 3"),
    ("raw", "SELECT usage_user FROM cpu WHERE time > {end}"),
    ("raw", "SELECT reading FROM sensors WHERE device = 'd1' AND time >= {mid} - 2m AND time <= {mid} + 2m"),
    ("raw", "SELECT time, usage_user FROM cpu WHERE hostname = 'host_8' LIMIT 3"),
    ("raw", "SELECT usage_user, hostname FROM cpu WHERE time = {mid}"),
    ("raw", "SELECT \"level\" FROM \"sensors\" WHERE \"building\" = 'south' LIMIT 10"),

    # ---------------------------------------------------------------- where
    ("where", "SELECT usage_user FROM cpu WHERE time >= '{mid_rfc}' AND time < '{end_rfc}' AND hostname = 'host_1'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= '{mid_rfc}' AND time <= '{mid_rfc}' + 1m AND hostname = 'host_1'"),
    ("where", "SELECT temp FROM sensors WHERE time >= '{sfirst_rfc}' AND time < '{sfirst_rfc}' + 1m"),
    ("where", "SELECT temp FROM sensors WHERE time > '{sfirst_rfc}' AND time < '{sfirst_rfc}' + 1m"),
    ("where", "SELECT temp FROM sensors WHERE time <= '{slast_rfc}' AND time > '{slast_rfc}' - 1m"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= {mid_ms}ms AND time <= {mid_ms}ms + 30s AND hostname = 'host_2'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= {mid_s}s AND time < {mid_s}s + 1m AND hostname = 'host_2'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= {mid_u}u AND time < {mid_u}u + 20s AND hostname = 'host_2'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= {mid}ns AND time < {mid}ns + 20s AND hostname = 'host_2'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= {mid_u}µ AND time < {mid_u}µ + 20s AND hostname = 'host_2'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= {mid} AND time < {mid} + 30000000000 AND hostname = 'host_3'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= '{mid_sql}' AND time < '{mid_sql}' + 30s AND hostname = 'host_3'"),
    ("where", "SELECT count(usage_user) FROM cpu WHERE time >= '{mid_day}'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= '{mid_rfc2}' AND time < '{mid_rfc2}' + 20s AND hostname = 'host_3'"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= '{mid_rfc}' - 500ms AND time <= '{mid_rfc}' + 10s + 500ms AND hostname = 'host_3'"),
    ("where", "SELECT count(usage_user) FROM cpu WHERE time > {mid} OR hostname = 'host_1'"),
    ("where", "SELECT count(usage_user) FROM cpu WHERE time > {mid}"),
    ("where", "SELECT count(usage_user) FROM cpu WHERE time >= {mid} AND (hostname = 'host_1' OR usage_user > 50)"),
    ("where", "SELECT usage_user FROM cpu WHERE hostname = 'host_3' AND time > now() - 1h LIMIT 10"),
    ("where", "SELECT count(usage_user) FROM cpu WHERE time > now() - 1h"),
    ("where", "SELECT count(usage_user) FROM cpu WHERE time >= now() - 100m AND time < now() - 30m"),
    ("where", "SELECT count(usage_user) FROM cpu WHERE time > now() - 1d AND time < now()"),
    ("where", "SELECT count(temperature) FROM weather WHERE time > now() - 2d"),
    ("where", "SELECT count(temperature) FROM weather WHERE time > now() - 1w"),
    ("where", "SELECT usage_user FROM cpu WHERE hostname != 'host_0' AND time >= {end} - 10s"),
    ("where", "SELECT usage_user FROM cpu WHERE hostname =~ /^host_[12]$/ AND time >= {end} - 20s"),
    ("where", "SELECT usage_user FROM cpu WHERE hostname !~ /^host_[1-8]$/ AND time >= {end} - 20s"),
    ("where", "SELECT usage_user FROM cpu WHERE hostname =~ /host_1/ AND time >= {end} - 10s"),
    ("where", "SELECT usage_user FROM cpu WHERE region = 'us-east-1' AND time >= {end} - 10s"),
    ("where", "SELECT usage_user FROM cpu WHERE (hostname = 'host_1' OR hostname = 'host_2') AND time >= {end} - 30s"),
    ("where", "SELECT usage_user FROM cpu WHERE hostname = 'host_1' OR hostname = 'host_2' AND time >= {end} - 30s LIMIT 5"),
    ("where", "SELECT usage_user FROM cpu WHERE usage_user > 75 AND hostname = 'host_4'"),
    ("where", "SELECT usage_user FROM cpu WHERE usage_user >= 99.5 OR usage_user <= 0.5"),
    ("where", "SELECT usage_user, usage_system FROM cpu WHERE usage_user > usage_system AND hostname = 'host_5' LIMIT 10"),
    ("where", "SELECT usage_user FROM cpu WHERE usage_user + usage_system > 140 AND hostname = 'host_6'"),
    ("where", "SELECT usage_user FROM cpu WHERE usage_user = 100"),
    ("where", "SELECT usage_user FROM cpu WHERE usage_user <> 100 AND hostname = 'host_7' LIMIT 5"),
    ("where", "SELECT temp, status FROM sensors WHERE status = 'warn'"),
    ("where", "SELECT temp, status FROM sensors WHERE status != 'ok' AND device = 'd1'"),
    ("where", "SELECT status FROM sensors WHERE status =~ /serv/"),
    ("where", "SELECT online, device FROM sensors WHERE online = false AND device = 'd2'"),
    ("where", "SELECT online FROM sensors WHERE online = true LIMIT 5"),
    ("where", "SELECT reading FROM sensors WHERE reading > 5000 AND reading < 6000"),
    ("where", "SELECT reading FROM sensors WHERE reading = 7"),
    ("where", "SELECT temp FROM sensors WHERE temp < 0"),
    ("where", "SELECT temp FROM sensors WHERE temp < -3.5 OR temp > 30"),
    ("where", "SELECT temp FROM sensors WHERE device = 'd1' AND (temp > 20 OR level < -0.9)"),
    ("where", "SELECT temp FROM sensors WHERE building = 'north' AND NOT_A_TAG = ''"),
    ("where", "SELECT temp FROM sensors WHERE device = ''"),
    ("where", "SELECT temp FROM sensors WHERE device != ''"),
    ("where", "SELECT usage_user FROM cpu WHERE hostname = 'host_1' AND hostname = 'host_2'"),
    ("where", "SELECT usage_user FROM cpu WHERE \"hostname\" = 'host_9' AND time >= {end} - 1m"),
    ("where", "SELECT usage_user FROM cpu WHERE time >= {mid} AND time < {mid} AND hostname = 'host_1'"),
    ("where", "SELECT temperature FROM weather WHERE location =~ /^(paris|tokyo)$/ AND time >= {end} - 2h"),
    ("where", "SELECT temperature FROM weather WHERE temperature > 20 AND location = 'london'"),
    ("where", "SELECT temperature FROM weather WHERE time >= '{wstart_rfc}' AND time < '{wstart_rfc}' + 2h"),

    # ---------------------------------------------------------------- aggregates
    ("aggregates", "SELECT count(usage_user) FROM cpu"),
    # ties across tag sets under GROUP BY time (every host has a point at
    # each 10 s): InfluxDB's reducers keep the larger value
    ("aggregates", "SELECT first(usage_user), last(usage_system) FROM cpu WHERE time >= {mid} AND time < {mid} + 10m GROUP BY time(1m)"),
    ("aggregates", "SELECT first(usage_user), hostname FROM cpu WHERE time >= {mid} AND time < {mid} + 5m GROUP BY time(1m)"),
    ("aggregates", "SELECT last(usage_idle), region FROM cpu WHERE time >= {mid} AND time < {mid} + 5m GROUP BY time(30s)"),
    ("aggregates", "SELECT last(status), first(online), last(online) FROM sensors GROUP BY time(1h)"),
    # one selector under arithmetic still gives its point's time
    ("aggregates", "SELECT last(usage_user) * 2 FROM cpu WHERE hostname = 'host_1'"),
    ("aggregates", "SELECT 100 - max(usage_idle) FROM cpu WHERE hostname = 'host_2' AND time >= {mid}"),
    ("aggregates", "SELECT min(temp) + 1, device FROM sensors WHERE device = 'd3'"),
    ("aggregates", "SELECT first(reading) * 2 - 1 FROM sensors WHERE device = 'd1' GROUP BY time(30m)"),
    ("aggregates", "SELECT count(usage_user) FROM cpu WHERE time >= {start} AND time < {end}"),
    ("aggregates", "SELECT count(*) FROM cpu"),
    ("aggregates", "SELECT count(*) FROM sensors"),
    ("aggregates", "SELECT count(/usage_(user|system)/) FROM cpu"),
    ("aggregates", "SELECT count(status), count(online), count(temp) FROM sensors"),
    ("aggregates", "SELECT count(distinct(status)) FROM sensors"),
    ("aggregates", "SELECT distinct(status) FROM sensors"),
    ("aggregates", "SELECT distinct(online) FROM sensors"),
    ("aggregates", "SELECT distinct(humidity) FROM weather WHERE location = 'paris'"),
    ("aggregates", "SELECT mean(usage_user) FROM cpu"),
    ("aggregates", "SELECT mean(usage_user) FROM cpu WHERE time >= {mid} AND time < {end}"),
    ("aggregates", "SELECT mean(reading) FROM sensors"),
    ("aggregates", "SELECT mean(*) FROM sensors"),
    ("aggregates", "SELECT median(usage_user) FROM cpu WHERE hostname = 'host_1'"),
    ("aggregates", "SELECT median(reading), median(temp) FROM sensors"),
    ("aggregates", "SELECT mode(status) FROM sensors"),
    ("aggregates", "SELECT mode(humidity) FROM weather"),
    ("aggregates", "SELECT mode(online), mode(status) FROM sensors WHERE device = 'd3'"),
    ("aggregates", "SELECT mode(humidity) FROM weather GROUP BY location"),
    ("aggregates", "SELECT spread(usage_user) FROM cpu"),
    ("aggregates", "SELECT spread(reading) FROM sensors"),
    ("aggregates", "SELECT stddev(usage_user) FROM cpu WHERE hostname = 'host_2'"),
    ("aggregates", "SELECT stddev(reading), stddev(temp) FROM sensors"),
    ("aggregates", "SELECT sum(usage_user) FROM cpu"),
    ("aggregates", "SELECT sum(reading) FROM sensors"),
    ("aggregates", "SELECT sum(humidity) FROM weather"),
    ("aggregates", "SELECT integral(usage_user) FROM cpu WHERE hostname = 'host_1'"),
    ("aggregates", "SELECT integral(usage_user, 1m) FROM cpu WHERE hostname = 'host_1'"),
    ("aggregates", "SELECT integral(temp, 1h) FROM sensors"),
    ("aggregates", "SELECT integral(reading) FROM sensors WHERE device = 'd3'"),
    ("aggregates", "SELECT mean(usage_user), sum(usage_user), count(usage_user), stddev(usage_user) FROM cpu"),
    ("aggregates", "SELECT mean(usage_user) AS avg, count(usage_user) AS n FROM cpu"),
    ("aggregates", "SELECT mean(temp), count(temp) FROM sensors WHERE device = 'd2' AND time >= {mid}"),
    ("aggregates", "SELECT count(temp) FROM sensors WHERE time >= {end}"),
    ("aggregates", "SELECT mean(usage_user) FROM cpu WHERE hostname = 'host_99'"),
    ("aggregates", "SELECT count(usage_user) FROM cpu WHERE usage_user > 50"),
    ("aggregates", "SELECT mean(temperature), median(temperature), mode(humidity), spread(temperature) FROM weather"),

    # ---------------------------------------------------------------- selectors
    # math around the functions that give several rows, raw fields beside a selector inside a column,
    # distinct's order (first time, then value) across tag sets
    ("selectors", "SELECT distinct(reading) + 1 FROM sensors WHERE device = 'd2' GROUP BY time(1h)"),
    ("selectors", "SELECT top(usage_user, 2) * 2, hostname FROM cpu WHERE time >= {mid} AND time < {mid} + 1m"),
    ("selectors", "SELECT max(usage_user) - usage_system, hostname FROM cpu WHERE time >= {mid} AND time < {mid} + 5m"),
    ("selectors", "SELECT abs(usage_idle) + max(usage_idle) FROM cpu WHERE hostname = 'host_2' GROUP BY time(10m)"),
    ("selectors", "SELECT first(usage_user) FROM cpu GROUP BY region, hostname"),
    ("selectors", "SELECT last(usage_user) FROM cpu WHERE hostname = 'host_9' AND time < {mid}"),
    ("selectors", "SELECT first(usage_user) FROM cpu WHERE hostname = 'host_3'"),
    ("selectors", "SELECT last(temp) FROM sensors"),
    ("selectors", "SELECT first(status), last(status) FROM sensors"),
    ("selectors", "SELECT last(*) FROM sensors"),
    ("selectors", "SELECT max(usage_user) FROM cpu WHERE hostname = 'host_4'"),
    ("selectors", "SELECT min(usage_user) FROM cpu WHERE hostname = 'host_4'"),
    ("selectors", "SELECT max(temp) FROM sensors"),
    ("selectors", "SELECT min(temp), max(temp) FROM sensors"),
    ("selectors", "SELECT max(reading) FROM sensors"),
    ("selectors", "SELECT max(temp), device FROM sensors"),
    ("selectors", "SELECT min(temp), device, building FROM sensors"),
    ("selectors", "SELECT max(temp), status, level FROM sensors"),
    ("selectors", "SELECT percentile(usage_user, 95) FROM cpu WHERE hostname = 'host_5'"),
    ("selectors", "SELECT percentile(usage_user, 50) FROM cpu WHERE hostname = 'host_5'"),
    ("selectors", "SELECT percentile(usage_user, 0) FROM cpu WHERE hostname = 'host_5'"),
    ("selectors", "SELECT percentile(usage_user, 100) FROM cpu WHERE hostname = 'host_5'"),
    ("selectors", "SELECT percentile(temp, 33.3) FROM sensors"),
    ("selectors", "SELECT percentile(reading, 90) FROM sensors"),
    ("selectors", "SELECT top(temp, 3) FROM sensors"),
    ("selectors", "SELECT top(temp, device, 2) FROM sensors"),
    ("selectors", "SELECT top(temp, device, building, 3) FROM sensors"),
    ("selectors", "SELECT bottom(temp, 3) FROM sensors"),
    ("selectors", "SELECT bottom(temp, device, 3) FROM sensors"),
    ("selectors", "SELECT top(reading, 5) FROM sensors WHERE device = 'd2'"),
    ("selectors", "SELECT top(temperature, location, 3) FROM weather"),
    ("selectors", "SELECT bottom(temperature, location, 2) FROM weather"),
    ("selectors", "SELECT top(temperature, 2), location FROM weather"),
    ("selectors", "SELECT top(usage_user, hostname, 3) FROM cpu WHERE time >= {mid} AND time < {mid} + 1m"),
    ("selectors", "SELECT bottom(usage_idle, hostname, 4) FROM cpu WHERE time >= {mid} AND time < {mid} + 5m"),
    ("selectors", "SELECT sample(temp, 5) FROM sensors"),
    ("selectors", "SELECT sample(usage_user, 3) FROM cpu WHERE hostname = 'host_1'"),
    ("selectors", "SELECT first(usage_user), last(usage_user) FROM cpu WHERE hostname = 'host_6'"),
    ("selectors", "SELECT max(usage_user) - min(usage_user) FROM cpu WHERE hostname = 'host_6'"),
    ("selectors", "SELECT first(temperature) FROM weather WHERE location = 'tokyo' AND time >= {end} - 1d"),
    ("selectors", "SELECT last(temp) FROM sensors WHERE time <= {mid}"),

    # ---------------------------------------------------------------- transforms
    ("transforms", "SELECT cumulative_sum(reading) FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("transforms", "SELECT cumulative_sum(usage_user) FROM cpu WHERE hostname = 'host_1' LIMIT 10"),
    ("transforms", "SELECT cumulative_sum(mean(usage_user)) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("transforms", "SELECT derivative(reading) FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("transforms", "SELECT derivative(reading, 1m) FROM sensors WHERE device = 'd2' LIMIT 20"),
    ("transforms", "SELECT derivative(usage_user, 10s) FROM cpu WHERE hostname = 'host_2' LIMIT 10"),
    ("transforms", "SELECT derivative(mean(usage_user), 1m) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("transforms", "SELECT derivative(max(reading)) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("transforms", "SELECT non_negative_derivative(reading) FROM sensors WHERE device = 'd1'"),
    ("transforms", "SELECT non_negative_derivative(reading, 1s) FROM sensors WHERE device = 'd1' AND time >= {mid} - 5m AND time < {mid} + 5m"),
    ("transforms", "SELECT non_negative_derivative(last(reading), 1m) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m), device"),
    ("transforms", "SELECT difference(reading) FROM sensors WHERE device = 'd1' AND time >= {mid} - 5m AND time < {mid} + 5m"),
    ("transforms", "SELECT difference(usage_user) FROM cpu WHERE hostname = 'host_3' LIMIT 10"),
    ("transforms", "SELECT difference(mean(usage_user)) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(15m)"),
    ("transforms", "SELECT non_negative_difference(reading) FROM sensors WHERE device = 'd1' AND time >= {mid} - 5m AND time < {mid} + 5m"),
    ("transforms", "SELECT non_negative_difference(max(reading)) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m), device"),
    ("transforms", "SELECT elapsed(reading) FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("transforms", "SELECT elapsed(reading, 1s) FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("transforms", "SELECT elapsed(temp, 1ms) FROM sensors WHERE device = 'd2' LIMIT 10"),
    ("transforms", "SELECT elapsed(usage_user, 1m) FROM cpu WHERE hostname = 'host_1' LIMIT 5"),
    ("transforms", "SELECT elapsed(status) FROM sensors WHERE device = 'd1' LIMIT 5"),
    ("transforms", "SELECT moving_average(usage_user, 3) FROM cpu WHERE hostname = 'host_4' LIMIT 10"),
    ("transforms", "SELECT moving_average(temp, 10) FROM sensors WHERE device = 'd2'"),
    ("transforms", "SELECT moving_average(mean(usage_user), 4) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("transforms", "SELECT moving_average(reading, 2) FROM sensors WHERE device = 'd1' LIMIT 10"),
    ("transforms", "SELECT cumulative_sum(reading), difference(reading) FROM sensors WHERE device = 'd3' LIMIT 10"),
    ("transforms", "SELECT derivative(temp) FROM sensors WHERE device = 'd3' LIMIT 30"),
    ("transforms", "SELECT difference(temp) FROM sensors LIMIT 20"),
    ("transforms", "SELECT derivative(reading) FROM sensors LIMIT 20"),
    ("transforms", "SELECT derivative(mean(temp), 1h) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m) fill(none)"),
    ("transforms", "SELECT derivative(mean(temp), 1h) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(2m) fill(null)"),
    ("transforms", "SELECT difference(count(temp)) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m) fill(0)"),
    ("transforms", "SELECT cumulative_sum(count(status)) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m), device"),
    ("transforms", "SELECT elapsed(mean(temp), 1m) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m) fill(none)"),
    ("transforms", "SELECT integral(usage_user, 1s) FROM cpu WHERE hostname = 'host_1' AND time >= {start} AND time < {end} GROUP BY time(30m)"),

    # ------------------------------------------------- technical analysis
    ("technical", "SELECT holt_winters(mean(usage_user), 6, 4) FROM cpu WHERE hostname = 'host_1' AND time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("technical", "SELECT holt_winters_with_fit(mean(usage_user), 6, 4) FROM cpu WHERE hostname = 'host_1' AND time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("technical", "SELECT holt_winters(max(temp), 5, 0) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("technical", "SELECT holt_winters_with_fit(first(temperature), 12, 24) FROM weather WHERE location = 'paris' AND time >= {wstart} AND time < {end} GROUP BY time(1h)"),
    ("technical", "SELECT holt_winters(mean(humidity), 3, 2) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(6h), location"),
    ("technical", "SELECT chande_momentum_oscillator(usage_user, 10) FROM cpu WHERE hostname = 'host_2' LIMIT 20"),
    ("technical", "SELECT chande_momentum_oscillator(usage_user, 10, 5) FROM cpu WHERE hostname = 'host_2' LIMIT 20"),
    ("technical", "SELECT chande_momentum_oscillator(mean(usage_user), 4) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("technical", "SELECT chande_momentum_oscillator(temp, 5, -1, 'none') FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("technical", "SELECT exponential_moving_average(usage_user, 5) FROM cpu WHERE hostname = 'host_3' LIMIT 20"),
    ("technical", "SELECT exponential_moving_average(usage_user, 5, 10) FROM cpu WHERE hostname = 'host_3' LIMIT 20"),
    ("technical", "SELECT exponential_moving_average(usage_user, 5, -1, 'simple') FROM cpu WHERE hostname = 'host_3' LIMIT 20"),
    ("technical", "SELECT exponential_moving_average(temp, 4, -1, 'exponential') FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("technical", "SELECT exponential_moving_average(mean(temp), 3) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m), device"),
    ("technical", "SELECT double_exponential_moving_average(usage_user, 5) FROM cpu WHERE hostname = 'host_4' LIMIT 20"),
    ("technical", "SELECT double_exponential_moving_average(temp, 3, -1, 'simple') FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("technical", "SELECT triple_exponential_moving_average(usage_user, 4) FROM cpu WHERE hostname = 'host_4' LIMIT 20"),
    ("technical", "SELECT triple_exponential_moving_average(reading, 3, 2) FROM sensors WHERE device = 'd2' LIMIT 20"),
    ("technical", "SELECT kaufmans_efficiency_ratio(usage_user, 10) FROM cpu WHERE hostname = 'host_5' LIMIT 20"),
    ("technical", "SELECT kaufmans_efficiency_ratio(temp, 5, 3) FROM sensors WHERE device = 'd2' LIMIT 20"),
    ("technical", "SELECT kaufmans_adaptive_moving_average(usage_user, 10) FROM cpu WHERE hostname = 'host_5' LIMIT 20"),
    ("technical", "SELECT kaufmans_adaptive_moving_average(mean(temp), 4) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("technical", "SELECT relative_strength_index(usage_user, 14) FROM cpu WHERE hostname = 'host_6' LIMIT 20"),
    ("technical", "SELECT relative_strength_index(temp, 5, -1, 'simple') FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("technical", "SELECT relative_strength_index(reading, 4, 8, 'exponential') FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("technical", "SELECT triple_exponential_derivative(usage_user, 4) FROM cpu WHERE hostname = 'host_7' LIMIT 20"),
    ("technical", "SELECT triple_exponential_derivative(mean(usage_user), 3) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(5m), hostname LIMIT 5"),
    ("technical", "SELECT triple_exponential_derivative(temp, 3, 2, 'simple') FROM sensors WHERE device = 'd1' LIMIT 20"),
    # holt_winters: seasons or none (S < 2), gaps (d2 has none for 20 min), integer fields, several series
    ("technical", "SELECT holt_winters(mean(temp), 4, 3) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("technical", "SELECT holt_winters(sum(reading), 7, 1) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m), device"),
    ("technical", "SELECT holt_winters(mean(usage_user), 10, 12) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(2m), hostname"),
    ("technical", "SELECT holt_winters(mean(temp), 3, 0), mean(temp) FROM sensors WHERE device = 'd1' AND time >= {start} AND time < {start} + 30m GROUP BY time(5m) fill(none)"),
    ("technical", "SELECT holt_winters(mean(temp), 3, 0) FROM sensors WHERE device = 'd1' AND time >= {start} AND time < {start} + 30m GROUP BY time(5m,1m)"),
    ("technical", "SELECT holt_winters(count(temp), 5, 6) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m) fill(none)"),
    ("technical", "SELECT holt_winters(mean(temp), 3, 0) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) ORDER BY time DESC"),
    ("technical", "SELECT holt_winters(mean(temp), 3, 2) * 2 FROM sensors WHERE device = 'd1' AND time >= {start} AND time < {end} GROUP BY time(10m) LIMIT 2 OFFSET 1"),
    ("technical", "SELECT holt_winters_with_fit(mean(temp), 4, 3) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("technical", "SELECT holt_winters_with_fit(mean(reading), 3, 5) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(3m), device"),
    ("technical", "SELECT holt_winters_with_fit(last(humidity), 8, 4) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(3h), location"),
    ("technical", "SELECT holt_winters_with_fit(mean(temp), 2, 0) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {start} + 60m GROUP BY time(5m) fill(0)"),
    ("technical", "SELECT holt_winters_with_fit(mean(usage_user), 2, 0) FROM cpu WHERE hostname = 'host_1' AND time >= {start} + 90m AND time < {end} GROUP BY time(5m)"),
    ("technical", "SELECT holt_winters(first(usage_user), 3, 0), holt_winters_with_fit(last(usage_user), 2, 3) FROM cpu WHERE hostname = 'host_1' AND time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("technical", "SELECT holt_winters_with_fit(first(usage_user), 3, 0), difference(first(usage_user)) FROM cpu WHERE hostname = 'host_1' AND time >= {start} + 30m AND time < {end} GROUP BY time(10m)"),
    ("technical", "SELECT holt_winters_with_fit(mean(usage_user), 3, 2) FROM cpu WHERE hostname = 'host_1' AND time >= {start} + 33m AND time < {end} - 7m GROUP BY time(10m)"),
    # relative_strength_index, kaufmans_adaptive_moving_average: hold periods, warmups, buckets
    ("technical", "SELECT relative_strength_index(temp, 3, 0) FROM sensors WHERE device = 'd2' LIMIT 20"),
    ("technical", "SELECT relative_strength_index(reading, 6, 2, 'simple') FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("technical", "SELECT relative_strength_index(mean(usage_user), 4) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(5m), hostname"),
    ("technical", "SELECT relative_strength_index(mean(temp), 3) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m), device fill(linear)"),
    ("technical", "SELECT kaufmans_adaptive_moving_average(temp, 5, 0) FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("technical", "SELECT kaufmans_adaptive_moving_average(reading, 3, 7) FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("technical", "SELECT kaufmans_adaptive_moving_average(usage_user, 20) FROM cpu WHERE hostname = 'host_3'"),
    ("technical", "SELECT kaufmans_adaptive_moving_average(max(reading), 3, 1) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m), device fill(previous)"),
    ("technical", "SELECT kaufmans_adaptive_moving_average(temp, 4) FROM sensors GROUP BY device LIMIT 10"),
    # the multi-stage averages with a hold period and the simple warmup (the
    # later stages start once the one before is warm; rows from the hold on)
    ("technical", "SELECT double_exponential_moving_average(temp, 3, 2, 'simple') FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("technical", "SELECT double_exponential_moving_average(temp, 4, 0, 'simple') FROM sensors WHERE device = 'd2' LIMIT 20"),
    ("technical", "SELECT triple_exponential_moving_average(reading, 3, 1, 'simple') FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("technical", "SELECT triple_exponential_moving_average(mean(temp), 3, 4, 'simple') FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m), device fill(0)"),
    ("technical", "SELECT triple_exponential_derivative(temp, 3, 1, 'simple') FROM sensors WHERE device = 'd2' LIMIT 20"),
    ("technical", "SELECT triple_exponential_moving_average(usage_user, 5, 0, 'exponential') FROM cpu WHERE hostname = 'host_2' LIMIT 20"),
    # kaufmans_efficiency_ratio with a hold period under the period (the
    # window reaches back to zeros before the first value)
    ("technical", "SELECT kaufmans_efficiency_ratio(temp, 5, 0) FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("technical", "SELECT kaufmans_efficiency_ratio(reading, 10, 2) FROM sensors WHERE device = 'd2' LIMIT 20"),
    ("technical", "SELECT kaufmans_efficiency_ratio(usage_user, 500, 3) FROM cpu WHERE hostname = 'host_3' LIMIT 40"),
    # chande_momentum_oscillator with its warmups (averages of gains and losses)
    ("technical", "SELECT chande_momentum_oscillator(temp, 5, -1, 'exponential') FROM sensors WHERE device = 'd1' LIMIT 20"),
    ("technical", "SELECT chande_momentum_oscillator(reading, 4, 1, 'simple') FROM sensors WHERE device = 'd2' LIMIT 20"),

    # ---------------------------------------------------------------- group_by_time
    ("group_by_time", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time <= {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu WHERE time > {start} AND time < {end} GROUP BY time(1h)"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} + 7m AND time < {end} - 3m GROUP BY time(10m)"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} GROUP BY time(30m)"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu GROUP BY time(30m)"),
    ("group_by_time", "SELECT count(temp) FROM sensors GROUP BY time(15m)"),
    ("group_by_time", "SELECT max(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(20m, 7m)"),
    ("group_by_time", "SELECT max(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(20m, -7m)"),
    ("group_by_time", "SELECT count(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(1m) LIMIT 30"),
    ("group_by_time", "SELECT count(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(7m)"),
    ("group_by_time", "SELECT count(reading) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(90s) LIMIT 20"),
    ("group_by_time", "SELECT sum(reading) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(1h)"),
    ("group_by_time", "SELECT first(temp), last(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT max(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT max(temp), device FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT min(temp), max(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT percentile(usage_user, 90) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(15m)"),
    ("group_by_time", "SELECT median(temp), mode(status) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(20m)"),
    ("group_by_time", "SELECT spread(reading), stddev(reading) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(20m)"),
    ("group_by_time", "SELECT top(temp, 2) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT bottom(temp, device, 2) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(1h)"),
    ("group_by_time", "SELECT distinct(status) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT count(distinct(status)) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT integral(temp, 1m) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("group_by_time", "SELECT mean(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d)"),
    ("group_by_time", "SELECT mean(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1w)"),
    ("group_by_time", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(12h, 3h)"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10s) LIMIT 12"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu WHERE time >= now() - 1h GROUP BY time(10m)"),
    ("group_by_time", "SELECT count(usage_user) FROM cpu WHERE time >= {mid} AND time < {mid} + 1m GROUP BY time(7s)"),
    ("group_by_time", "SELECT count(temp) FROM sensors WHERE time >= '{sfirst_rfc}' AND time <= '{sfirst_rfc}' + 3m GROUP BY time(1m)"),
    ("group_by_time", "SELECT sample(temp, 2) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(1h)"),
    ("group_by_time", "SELECT mean(usage_user) FROM cpu GROUP BY time(0s)"),
    ("group_by_time", "SELECT mean(usage_user), mean(usage_system) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(20m)"),

    # ---------------------------------------------------------------- group_by_tags
    ("group_by_tags", "SELECT mean(usage_user) FROM cpu GROUP BY hostname"),
    ("group_by_tags", "SELECT mean(usage_user) FROM cpu GROUP BY region"),
    ("group_by_tags", "SELECT mean(usage_user) FROM cpu GROUP BY region, datacenter"),
    ("group_by_tags", "SELECT mean(usage_user) FROM cpu GROUP BY datacenter, region"),
    ("group_by_tags", "SELECT count(usage_user) FROM cpu GROUP BY \"os\", \"arch\""),
    ("group_by_tags", "SELECT max(usage_user) FROM cpu GROUP BY *"),
    ("group_by_tags", "SELECT mean(temp) FROM sensors GROUP BY *"),
    ("group_by_tags", "SELECT mean(temp) FROM sensors GROUP BY /dev/"),
    ("group_by_tags", "SELECT mean(usage_user) FROM cpu GROUP BY /^(region|team)$/"),
    ("group_by_tags", "SELECT count(temp) FROM sensors GROUP BY building"),
    ("group_by_tags", "SELECT count(temp) FROM sensors GROUP BY nosuchtag"),
    ("group_by_tags", "SELECT count(temp) FROM sensors GROUP BY building, nosuchtag"),
    ("group_by_tags", "SELECT temp FROM sensors WHERE time >= {mid} AND time < {mid} + 2m GROUP BY device"),
    ("group_by_tags", "SELECT * FROM sensors WHERE time >= {mid} AND time < {mid} + 2m GROUP BY device"),
    ("group_by_tags", "SELECT * FROM sensors WHERE time >= {mid} AND time < {mid} + 2m GROUP BY *"),
    ("group_by_tags", "SELECT usage_user FROM cpu WHERE time >= {end} - 30s GROUP BY hostname, region"),
    ("group_by_tags", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(30m), hostname"),
    ("group_by_tags", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY hostname, time(30m)"),
    ("group_by_tags", "SELECT last(status) FROM sensors GROUP BY device"),
    ("group_by_tags", "SELECT max(temp), device FROM sensors GROUP BY building"),
    ("group_by_tags", "SELECT top(temp, 2) FROM sensors GROUP BY device"),
    ("group_by_tags", "SELECT mean(temperature) FROM weather GROUP BY location"),
    ("group_by_tags", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d), *"),
    ("group_by_tags", "SELECT distinct(rack) FROM cpu GROUP BY region"),

    # ---------------------------------------------------------------- fill
    ("fill", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(null)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(none)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(previous)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(linear)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(0)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(-1.5)"),
    ("fill", "SELECT count(temp) FROM sensors WHERE device = 'd3' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(42)"),
    ("fill", "SELECT count(temp) FROM sensors WHERE device = 'd3' AND time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE time >= {start} - 30m AND time < {end} + 30m GROUP BY time(10m) fill(previous)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE time >= {start} - 30m AND time < {end} + 30m GROUP BY time(10m) fill(linear)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE time >= {start} - 30m AND time < {end} + 30m GROUP BY time(10m) fill(0)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE time >= {start} - 30m AND time < {end} + 30m GROUP BY time(10m) fill(none)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m), device fill(previous)"),
    ("fill", "SELECT mean(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m), device fill(linear)"),
    ("fill", "SELECT max(reading) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m), device fill(linear)"),
    ("fill", "SELECT last(status) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(previous)"),
    ("fill", "SELECT last(online) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(previous)"),
    ("fill", "SELECT mean(temp), count(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(7)"),
    ("fill", "SELECT mean(temp), last(status) FROM sensors WHERE device = 'd3' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(previous)"),
    ("fill", "SELECT mean(usage_user) FROM cpu WHERE hostname = 'host_1' AND time >= {end} - 30m AND time < {end} + 20m GROUP BY time(5m) fill(previous)"),
    ("fill", "SELECT sum(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(4m) fill(linear) LIMIT 10 OFFSET 8"),

    # ---------------------------------------------------------------- order_limit
    ("order_limit", "SELECT usage_user FROM cpu WHERE hostname = 'host_1' ORDER BY time DESC LIMIT 5"),
    ("order_limit", "SELECT temp FROM sensors ORDER BY time DESC LIMIT 10"),
    ("order_limit", "SELECT * FROM sensors WHERE device = 'd1' ORDER BY time DESC LIMIT 3"),
    ("order_limit", "SELECT usage_user FROM cpu WHERE hostname = 'host_1' ORDER BY time ASC LIMIT 3"),
    ("order_limit", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m) ORDER BY time DESC"),
    ("order_limit", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m) ORDER BY time DESC LIMIT 3"),
    ("order_limit", "SELECT mean(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m), device ORDER BY time DESC LIMIT 2"),
    ("order_limit", "SELECT mean(temp) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(5m) fill(previous) ORDER BY time DESC"),
    ("order_limit", "SELECT usage_user FROM cpu WHERE hostname = 'host_2' LIMIT 3 OFFSET 10"),
    ("order_limit", "SELECT temp FROM sensors LIMIT 5 OFFSET 5"),
    ("order_limit", "SELECT temp FROM sensors LIMIT 5 OFFSET 100000"),
    ("order_limit", "SELECT temp FROM sensors GROUP BY device LIMIT 2"),
    ("order_limit", "SELECT temp FROM sensors GROUP BY device LIMIT 2 OFFSET 3"),
    ("order_limit", "SELECT temp FROM sensors GROUP BY device SLIMIT 1"),
    ("order_limit", "SELECT temp FROM sensors GROUP BY device LIMIT 2 SLIMIT 2"),
    ("order_limit", "SELECT temp FROM sensors GROUP BY device LIMIT 2 SLIMIT 2 SOFFSET 1"),
    ("order_limit", "SELECT mean(usage_user) FROM cpu GROUP BY hostname SLIMIT 3"),
    ("order_limit", "SELECT mean(usage_user) FROM cpu GROUP BY hostname SLIMIT 3 SOFFSET 8"),
    ("order_limit", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(30m), hostname LIMIT 2 SLIMIT 2 SOFFSET 1"),
    ("order_limit", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(30m), hostname LIMIT 1 OFFSET 1"),
    ("order_limit", "SELECT count(temp) FROM sensors GROUP BY device SOFFSET 5"),
    ("order_limit", "SELECT temp FROM sensors WHERE device = 'd3' ORDER BY time DESC LIMIT 4 OFFSET 2"),
    ("order_limit", "SELECT usage_user, hostname FROM cpu ORDER BY time DESC LIMIT 20"),
    ("order_limit", "SELECT temp FROM sensors LIMIT 0"),
    ("order_limit", "SELECT derivative(reading) FROM sensors WHERE device = 'd1' ORDER BY time DESC LIMIT 5"),
    ("order_limit", "SELECT top(temp, 5) FROM sensors ORDER BY time DESC"),

    # ---------------------------------------------------------------- math
    ("math", "SELECT usage_user + usage_system FROM cpu WHERE hostname = 'host_1' LIMIT 5"),
    ("math", "SELECT usage_user - usage_system AS diff FROM cpu WHERE hostname = 'host_1' LIMIT 5"),
    ("math", "SELECT usage_user * 2, usage_user / 4, usage_user % 7 FROM cpu WHERE hostname = 'host_1' LIMIT 5"),
    ("math", "SELECT (usage_user + usage_system) / 2 FROM cpu WHERE hostname = 'host_1' LIMIT 5"),
    ("math", "SELECT 100 - usage_idle FROM cpu WHERE hostname = 'host_2' LIMIT 5"),
    ("math", "SELECT -usage_idle FROM cpu WHERE hostname = 'host_2' LIMIT 5"),
    ("math", "SELECT usage_user / 0 FROM cpu WHERE hostname = 'host_2' LIMIT 3"),
    ("math", "SELECT reading * 2, reading / 3, reading % 7, reading - 1000 FROM sensors WHERE device = 'd1' LIMIT 5"),
    ("math", "SELECT reading / 0, reading % 0 FROM sensors WHERE device = 'd1' LIMIT 3"),
    ("math", "SELECT reading & 255, reading | 1, reading ^ 3 FROM sensors WHERE device = 'd2' LIMIT 5"),
    ("math", "SELECT reading + temp FROM sensors WHERE device = 'd2' LIMIT 10"),
    ("math", "SELECT temp * 1.8 + 32 AS fahrenheit FROM sensors WHERE device = 'd3' LIMIT 10"),
    ("math", "SELECT mean(usage_user) * 2 FROM cpu"),
    ("math", "SELECT mean(usage_user) + mean(usage_system) FROM cpu"),
    ("math", "SELECT max(usage_user) - min(usage_user) AS range FROM cpu GROUP BY hostname"),
    ("math", "SELECT sum(reading) / count(reading) FROM sensors GROUP BY device"),
    ("math", "SELECT mean(usage_user) / 100 FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("math", "SELECT (mean(usage_user) + mean(usage_system)) * 10 FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(30m), region"),
    ("math", "SELECT count(temp) * 2 FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m) fill(0)"),
    ("math", "SELECT mean(temp) - 10 FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("math", "SELECT mean(temp) - 10 FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(10m) fill(5)"),
    ("math", "SELECT derivative(mean(usage_user), 1m) * 60 FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("math", "SELECT usage_user + 1, usage_user FROM cpu WHERE hostname = 'host_3' LIMIT 3"),
    ("math", "SELECT temp + level FROM sensors LIMIT 20"),
    ("math", "SELECT humidity * 1.0 / 3 FROM weather WHERE location = 'paris' LIMIT 5"),
    ("math", "SELECT humidity / 3 FROM weather WHERE location = 'paris' LIMIT 5"),

    # ---------------------------------------------------------------- functions_math
    ("functions_math", "SELECT abs(temp) FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("functions_math", "SELECT abs(reading - 5000) FROM sensors WHERE device = 'd1' LIMIT 5"),
    ("functions_math", "SELECT acos(level), asin(level), atan(level) FROM sensors LIMIT 10"),
    ("functions_math", "SELECT atan2(usage_user, usage_system) FROM cpu WHERE hostname = 'host_1' LIMIT 5"),
    ("functions_math", "SELECT atan2(temp, 2) FROM sensors WHERE device = 'd3' LIMIT 5"),
    ("functions_math", "SELECT ceil(temp), floor(temp), round(temp) FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("functions_math", "SELECT ceil(reading), floor(reading), round(reading) FROM sensors WHERE device = 'd3' LIMIT 5"),
    ("functions_math", "SELECT cos(usage_user), sin(usage_user), tan(usage_user) FROM cpu WHERE hostname = 'host_2' LIMIT 5"),
    ("functions_math", "SELECT exp(level) FROM sensors WHERE device = 'd1' LIMIT 5"),
    ("functions_math", "SELECT ln(usage_user), log2(usage_user), log10(usage_user) FROM cpu WHERE hostname = 'host_2' LIMIT 5"),
    ("functions_math", "SELECT log(usage_user, 3) FROM cpu WHERE hostname = 'host_2' LIMIT 5"),
    ("functions_math", "SELECT ln(temp), sqrt(temp) FROM sensors WHERE device = 'd3' LIMIT 20"),
    ("functions_math", "SELECT log10(temp) FROM sensors WHERE temp < 0 LIMIT 5"),
    ("functions_math", "SELECT pow(usage_user, 2), pow(usage_user, 0.5) FROM cpu WHERE hostname = 'host_3' LIMIT 5"),
    ("functions_math", "SELECT pow(reading, 2) FROM sensors WHERE device = 'd2' LIMIT 5"),
    ("functions_math", "SELECT sqrt(usage_user) FROM cpu WHERE hostname = 'host_3' LIMIT 5"),
    ("functions_math", "SELECT round(mean(usage_user)) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("functions_math", "SELECT abs(mean(temp)) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(30m), device"),
    ("functions_math", "SELECT floor(max(usage_user)) FROM cpu GROUP BY hostname"),
    ("functions_math", "SELECT sqrt(sum(reading)) FROM sensors"),
    ("functions_math", "SELECT ceil(mean(temp)) FROM sensors WHERE device = 'd2' AND time >= {start} AND time < {end} GROUP BY time(10m) fill(previous)"),
    ("functions_math", "SELECT exp(level) * 10 AS x FROM sensors WHERE device = 'd2' LIMIT 5"),
    ("functions_math", "SELECT abs(derivative(mean(temp), 1m)) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m)"),
    ("functions_math", "SELECT round(temp), status FROM sensors WHERE device = 'd1' LIMIT 10"),
    ("functions_math", "SELECT sin(level), cos(level) FROM sensors WHERE device = 'd1' ORDER BY time DESC LIMIT 5"),
    ("functions_math", "SELECT log2(reading) FROM sensors WHERE device = 'd1' AND reading < 100"),

    # ---------------------------------------------------------------- casts
    ("casts", "SELECT usage_user::float FROM cpu WHERE hostname = 'host_1' LIMIT 3"),
    ("casts", "SELECT usage_user::integer FROM cpu WHERE hostname = 'host_1' LIMIT 3"),
    ("casts", "SELECT reading::float, reading::integer FROM sensors WHERE device = 'd1' LIMIT 3"),
    ("casts", "SELECT temp::integer FROM sensors WHERE device = 'd3' LIMIT 5"),
    ("casts", "SELECT status::string, online::boolean FROM sensors WHERE device = 'd1' LIMIT 5"),
    ("casts", "SELECT status::integer FROM sensors LIMIT 5"),
    ("casts", "SELECT hostname::tag, usage_user::field FROM cpu WHERE time >= {end} - 10s"),
    ("casts", "SELECT *::tag, temp::field FROM sensors LIMIT 5"),
    ("casts", "SELECT location::tag FROM weather LIMIT 3"),
    ("casts", "SELECT mean(reading::float) FROM sensors"),
    ("casts", "SELECT reading::float / 3 FROM sensors WHERE device = 'd2' LIMIT 3"),
    ("casts", "SELECT \"temp\"::float, \"device\"::tag FROM sensors WHERE time >= {mid} AND time < {mid} + 1m"),

    # ---------------------------------------------------------------- multiple_statements
    ("multiple_statements", "SELECT count(usage_user) FROM cpu; SELECT count(temp) FROM sensors"),
    ("multiple_statements", "SELECT mean(temp) FROM sensors GROUP BY device; SELECT last(temperature) FROM weather GROUP BY location"),
    ("multiple_statements", "SELECT usage_user FROM cpu WHERE hostname = 'host_1' LIMIT 2; SELECT nosuchfield FROM cpu; SELECT temp FROM sensors LIMIT 2"),
    ("multiple_statements", "SELECT count(temp) FROM sensors;SELECT count(reading) FROM sensors;SELECT count(level) FROM sensors"),
    ("multiple_statements", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(30m); SELECT max(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(1h)"),
    ("multiple_statements", "SELECT mean(temp) FROM sensors; SELECT median(temp) FROM sensors; SELECT last(status) FROM sensors"),
    ("multiple_statements", "SELECT nosuchfield FROM sensors; SELECT last(status) FROM sensors; SELECT temp FROM nosuch"),
    ("multiple_statements", "SELECT temp FROM sensors LIMIT 1; SHOW MEASUREMENTS"),
    ("multiple_statements", "SELECT count(temperature) FROM weather;"),
    ("multiple_statements", "SELECT count(temperature) FROM weather GROUP BY location; SELECT count(temp) FROM sensors GROUP BY building; SELECT count(usage_user) FROM cpu GROUP BY region"),

    # ---------------------------------------------------------------- subqueries
    ("subqueries", "SELECT mean(max) FROM (SELECT max(usage_user) FROM cpu GROUP BY hostname)"),
    ("subqueries", "SELECT max(m) FROM (SELECT mean(usage_user) AS m FROM cpu GROUP BY hostname)"),
    ("subqueries", "SELECT sum(m) FROM (SELECT mean(usage_user) AS m FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m), hostname) WHERE time >= {start} AND time < {end} GROUP BY time(30m)"),
    ("subqueries", "SELECT mean(usage_user) FROM (SELECT usage_user FROM cpu WHERE hostname = 'host_1')"),
    ("subqueries", "SELECT * FROM (SELECT usage_user, hostname FROM cpu WHERE time >= {end} - 20s)"),
    ("subqueries", "SELECT usage_user FROM (SELECT usage_user FROM cpu WHERE hostname =~ /host_[12]/) WHERE usage_user > 50 LIMIT 10"),
    ("subqueries", "SELECT top(m, 3) FROM (SELECT mean(usage_user) AS m FROM cpu GROUP BY hostname)"),
    ("subqueries", "SELECT top(m, hostname, 3) FROM (SELECT mean(usage_user) AS m FROM cpu GROUP BY hostname)"),
    ("subqueries", "SELECT count(d) FROM (SELECT difference(reading) AS d FROM sensors GROUP BY device) WHERE d < 0"),
    ("subqueries", "SELECT d FROM (SELECT non_negative_difference(reading) AS d FROM sensors WHERE device = 'd1') LIMIT 5"),
    ("subqueries", "SELECT max(spread) FROM (SELECT spread(temp) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m), device) GROUP BY device"),
    ("subqueries", "SELECT mean(temp) FROM (SELECT temp, device FROM sensors) GROUP BY device"),
    ("subqueries", "SELECT mean(temp) FROM (SELECT temp FROM sensors GROUP BY device) GROUP BY device"),
    ("subqueries", "SELECT last(total) FROM (SELECT usage_user + usage_system AS total FROM cpu GROUP BY hostname) GROUP BY hostname"),
    ("subqueries", "SELECT derivative(c, 1m) FROM (SELECT count(temp) AS c FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m))"),
    ("subqueries", "SELECT mean(c) FROM (SELECT count(temp) AS c FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(10m), device) WHERE time >= {start} AND time < {end} GROUP BY time(30m) fill(none)"),
    ("subqueries", "SELECT max(mean) FROM (SELECT mean(temperature) FROM weather GROUP BY location)"),
    ("subqueries", "SELECT mean(x) FROM (SELECT max(usage_user) AS x FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m), hostname), (SELECT min(usage_user) AS x FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(10m), hostname)"),
    ("subqueries", "SELECT mean(usage_user) FROM (SELECT usage_user FROM cpu) GROUP BY time(30m)"),
    ("subqueries", "SELECT status FROM (SELECT last(status) AS status FROM sensors GROUP BY device)"),
    ("subqueries", "SELECT mean(usage_user) FROM (SELECT * FROM cpu WHERE hostname = 'host_3') WHERE time >= {start} AND time < {end} GROUP BY time(1h)"),
    ("subqueries", "SELECT max(m) FROM (SELECT mean(usage_user) AS m FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(5m), hostname) GROUP BY hostname SLIMIT 3"),

    # ---------------------------------------------------------------- regex_sources
    ("regex_sources", "SELECT count(temp) FROM /sens/"),
    ("regex_sources", "SELECT count(temperature) FROM /^weather$/"),
    ("regex_sources", "SELECT * FROM /^(sensors|weather)$/ WHERE time >= {end} - 10m"),
    ("regex_sources", "SELECT mean(temperature), mean(temp) FROM sensors, weather"),
    ("regex_sources", "SELECT count(temp), count(temperature) FROM weather, sensors"),
    ("regex_sources", "SELECT count(*) FROM /.*/"),
    ("regex_sources", "SELECT last(usage_user) FROM /cp/ GROUP BY hostname SLIMIT 2"),
    ("regex_sources", "SELECT count(temperature) FROM {db}..weather"),
    ("regex_sources", "SELECT count(temperature) FROM {db}.autogen.weather"),
    ("regex_sources", "SELECT count(temperature) FROM \"{db}\".\"autogen\".\"weather\""),
    ("regex_sources", "SELECT count(temp) FROM autogen.sensors"),
    ("regex_sources", "SELECT count(temp) FROM \"{db}\"..\"sensors\", \"{db}\"..\"weather\""),
    ("regex_sources", "SELECT count(temp) FROM {db}.autogen./sens.*/"),
    ("regex_sources", "SELECT count(temperature) FROM /nomatch/"),
    ("regex_sources", "SELECT temperature FROM weather, nosuch WHERE time >= {end} - 2h"),
    ("regex_sources", "SELECT mean(temperature) FROM /ea/ WHERE time >= {wstart} AND time < {end} GROUP BY time(1d)"),

    # ---------------------------------------------------------------- tz
    ("tz", "SELECT mean(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d) tz('Europe/Paris')"),
    ("tz", "SELECT mean(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d), location tz('Europe/Paris')"),
    ("tz", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d) tz('America/New_York')"),
    ("tz", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d) tz('Asia/Kolkata')"),
    ("tz", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d) tz('UTC')"),
    ("tz", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d) fill(0) tz('Europe/Paris')"),
    ("tz", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(6h) tz('Europe/Paris')"),
    ("tz", "SELECT count(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1h) LIMIT 5 tz('Asia/Kolkata')"),
    ("tz", "SELECT temperature FROM weather WHERE location = 'paris' AND time >= {end} - 3h tz('Europe/Paris')"),
    ("tz", "SELECT temp FROM sensors WHERE device = 'd1' LIMIT 3 tz('Asia/Kolkata')"),
    ("tz", "SELECT max(temperature) FROM weather tz('Europe/Paris')"),
    ("tz", "SELECT mean(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(1h) tz('Asia/Kathmandu')"),
    ("tz", "SELECT mean(temperature) FROM weather WHERE time >= '{wstart_rfc}' AND time < '{end_rfc}' GROUP BY time(1d) tz('Europe/Paris')"),
    ("tz", "SELECT mean(temperature) FROM weather WHERE time >= {wstart} AND time < {end} GROUP BY time(1d) ORDER BY time DESC tz('Europe/Paris')"),
    # across a change of summer time: days of 23 or 25 hours, offsets that change inside the answer
    ("tz", "SELECT count(v) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 60h GROUP BY time(1d) tz('Europe/Paris')"),
    ("tz", "SELECT sum(v), mean(temp) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 60h GROUP BY time(1d) fill(none) tz('Europe/Paris')"),
    ("tz", "SELECT count(v) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 60h GROUP BY time(6h) tz('Europe/Paris')"),
    ("tz", "SELECT count(v) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 60h GROUP BY time(1d, 6h) tz('Europe/Paris')"),
    ("tz", "SELECT count(v) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 60h GROUP BY time(2d) tz('Europe/Paris')"),
    ("tz", "SELECT first(v) FROM dst WHERE time >= {dst} - 4h AND time < {dst} + 4h GROUP BY time(30m) tz('Europe/Paris')"),
    ("tz", "SELECT v FROM dst WHERE time >= {dst} - 3h AND time <= {dst} + 3h tz('Europe/Paris')"),
    ("tz", "SELECT count(v) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 96h GROUP BY time(1d) fill(0) ORDER BY time DESC tz('Europe/Paris')"),
    ("tz", "SELECT mean(temp) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 60h GROUP BY time(12h) fill(linear) tz('Europe/London')"),
    ("tz", "SELECT last(v) FROM dst WHERE time >= {dst} - 60h AND time < {dst} + 60h GROUP BY time(1d) tz('America/New_York')"),
    ("tz", "SELECT max(v) FROM dst tz('Europe/Paris')"),
    ("tz", "SELECT count(v) FROM dst WHERE time >= '{dst_rfc2}' - 2d AND time < '{dst_rfc2}' + 2d GROUP BY time(1d) tz('Europe/Paris')"),

    # ---------------------------------------------------------------- grafana
    ("grafana", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE (\"hostname\" = 'host_1') AND $timeFilter GROUP BY time($__interval) fill(null)"),
    ("grafana", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE $timeFilter GROUP BY time($__interval), \"hostname\" fill(null)"),
    ("grafana", "SELECT mean(\"usage_system\") FROM \"autogen\".\"cpu\" WHERE (\"region\" =~ /^us-east-1$/) AND $timeFilter GROUP BY time($__interval) fill(none)"),
    ("grafana", "SELECT max(\"usage_user\") FROM \"cpu\" WHERE (\"hostname\" =~ /^(host_1|host_2|host_3)$/) AND $timeFilter GROUP BY time($__interval), \"hostname\" fill(previous)"),
    ("grafana", "SELECT non_negative_derivative(mean(\"reading\"), 1s) FROM \"sensors\" WHERE $timeFilter GROUP BY time($__interval), \"device\" fill(null)"),
    ("grafana", "SELECT last(\"temp\") FROM \"sensors\" WHERE $timeFilter GROUP BY \"device\""),
    ("grafana", "SELECT mean(\"temp\") AS \"t\" FROM \"sensors\" WHERE (\"building\" = 'north') AND $timeFilter GROUP BY time($__interval) fill(linear)"),
    ("grafana", "SELECT \"usage_user\" FROM \"cpu\" WHERE (\"hostname\" = 'host_4') AND $timeFilter"),
    ("grafana", "SELECT count(\"status\") FROM \"sensors\" WHERE $timeFilter GROUP BY time(5m), \"status\" fill(0)"),
    ("grafana", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE time >= now() - 1h GROUP BY time(1m) fill(null)"),
    ("grafana", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE time >= now() - 3h and time <= now() GROUP BY time(5m), \"region\" fill(null)"),
    ("grafana", "SELECT percentile(\"usage_user\", 95) FROM \"cpu\" WHERE $timeFilter GROUP BY time($__interval) fill(null)"),
    ("grafana", "SELECT mean(\"temperature\") FROM \"weather\" WHERE $timeFilter GROUP BY time($__interval), \"location\" fill(null)"),
    ("grafana", "SELECT sum(\"usage_user\") / count(\"usage_user\") FROM \"cpu\" WHERE $timeFilter GROUP BY time(10m)"),
    ("grafana", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE \"hostname\" =~ /^host_1$/ AND $timeFilter GROUP BY time($__interval) ORDER BY time DESC LIMIT 10"),
    ("grafana", "SELECT distinct(\"hostname\") FROM (SELECT \"usage_user\", \"hostname\" FROM \"cpu\" WHERE $timeFilter)"),
    ("grafana", "SELECT last(\"usage_idle\") FROM \"cpu\" WHERE $timeFilter GROUP BY \"hostname\" LIMIT 1"),
    ("grafana", "SELECT moving_average(mean(\"temp\"), 5) FROM \"sensors\" WHERE $timeFilter GROUP BY time($__interval) fill(null)"),

    # ---------------------------------------------------------------- errors
    ("errors", "SELECT"),
    ("errors", "SELECT mean(usage_user + 1) FROM cpu"),
    ("errors", "SELECT sum(max(usage_user)) FROM cpu GROUP BY time(1h)"),
    ("errors", "SELECT max(usage_user), distinct(usage_user) FROM cpu"),
    ("errors", "SELECT distinct(usage_user), hostname FROM cpu"),
    ("errors", "SELECT top(usage_user, 1), bottom(usage_user, 1) FROM cpu"),
    ("errors", "SELECT usage_user + mean(usage_user) FROM cpu WHERE hostname = 'host_1'"),
    ("errors", "SELECT holt_winters(mean(temp), 0, 1) FROM sensors"),
    ("errors", "SELECT holt_winters_with_fit(temp, 2, 1) FROM sensors WHERE time >= {start} GROUP BY time(5m)"),
    ("errors", "SELECT relative_strength_index(x, 0) FROM nosuch"),
    ("errors", "SELECT FROM cpu"),
    ("errors", "SELECT usage_user FROM"),
    ("errors", "SELECT usage_user cpu"),
    ("errors", "SELECT usage_user FROM cpu WHERE"),
    ("errors", "SELECT usage_user FROM cpu WHERE hostname = 'host_1"),
    ("errors", "SELECT usage_user FROM cpu GROUP BY"),
    ("errors", "SELECT usage_user FROM cpu LIMIT -1"),
    ("errors", "SELECT usage_user FROM cpu LIMIT x"),
    ("errors", "SELECT usage_user FROM cpu ORDER BY usage_user"),
    ("errors", "SELECT usage_user FROM cpu ORDER BY time DESC, hostname"),
    ("errors", "SELECT nosuchfunction(usage_user) FROM cpu"),
    ("errors", "SELECT mean() FROM cpu"),
    ("errors", "SELECT mean(usage_user, 2) FROM cpu"),
    ("errors", "SELECT mean(status) FROM sensors"),
    ("errors", "SELECT sum(online) FROM sensors"),
    ("errors", "SELECT mean(usage_user), usage_user FROM cpu"),
    ("errors", "SELECT usage_user FROM cpu GROUP BY time(1m)"),
    ("errors", "SELECT mean(temp) FROM sensors GROUP BY time(1h) tz('UTC') LIMIT 5"),
    ("errors", "SELECT usage_user FROM cpu WHERE time >= {mid_u}us"),
    ("errors", "SELECT exponential_moving_average(temp, 4, -1, 'none') FROM sensors"),
    ("errors", "SELECT mean(usage_user) FROM cpu GROUP BY time(1m) fill(bogus)"),
    ("errors", "SELECT derivative(usage_user) FROM cpu WHERE time >= {start} AND time < {end} GROUP BY time(1m)"),
    ("errors", "SELECT derivative(mean(usage_user)) FROM cpu"),
    ("errors", "SELECT holt_winters(usage_user, 3, 1) FROM cpu"),
    ("errors", "SELECT holt_winters(mean(usage_user), 3, 1) FROM cpu"),
    ("errors", "SELECT holt_winters(mean(temp), 2, -1) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("errors", "SELECT holt_winters_with_fit(mean(temp), 2.5, 1) FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("errors", "SELECT holt_winters(mean(temp), 2, 'x') FROM sensors WHERE time >= {start} AND time < {end} GROUP BY time(5m)"),
    ("errors", "SELECT triple_exponential_derivative(temp, 4, 0) FROM sensors"),
    ("errors", "SELECT exponential_moving_average(temp, 3, 1, 'Simple') FROM sensors"),
    ("errors", "SELECT relative_strength_index(temp, 3, -2) FROM sensors"),
    ("errors", "SELECT kaufmans_adaptive_moving_average(temp, 'a') FROM sensors"),
    ("errors", "SELECT kaufmans_efficiency_ratio(temp, 0) FROM sensors"),
    ("errors", "SELECT chande_momentum_oscillator(temp, 3, 1, 5) FROM sensors"),
    ("errors", "SELECT moving_average(temp, 1) FROM sensors"),
    ("errors", "SELECT percentile(usage_user) FROM cpu"),
    ("errors", "SELECT top(usage_user) FROM cpu"),
    ("errors", "SELECT top(usage_user, 0) FROM cpu"),
    ("errors", "SELECT top(usage_user, hostname) FROM cpu"),
    ("errors", "SELECT moving_average(usage_user) FROM cpu"),
    ("errors", "SELECT moving_average(usage_user, 0) FROM cpu"),
    ("errors", "SELECT sample(usage_user, 0) FROM cpu"),
    ("errors", "SELECT usage_user FROM cpu WHERE time > 'yesterday'"),
    ("errors", "SELECT usage_user FROM cpu WHERE hostname =~ /(/"),
    ("errors", "SELECT usage_user FROM cpu tz('Mars/Olympus')"),
    ("errors", "SELECT count(temp) FROM sensors; SELECT mean(status) FROM sensors; SELECT count(temp) FROM sensors"),
    ("errors", "SELECT nosuchfunc(temp) FROM sensors; SELECT count(temp) FROM sensors"),
    ("errors", "SELECT count(temp) FROM sensors; SELECT usage_user FROM nosuchdb..cpu; SELECT count(temp) FROM sensors"),
    ("errors", "SELECT usage_user FROM nosuchdb..cpu"),
    ("errors", "SELECT usage_user FROM {db}.nosuchrp.cpu"),
    ("errors", "SELECT acos() FROM sensors"),
    ("errors", "SELECT pow(usage_user) FROM cpu"),
    ("errors", "SELECT exponential_moving_average(usage_user) FROM cpu"),
    ("errors", "SELECT count(distinct(status), 2) FROM sensors"),
    ("errors", "SELECT mean(usage_user) FROM cpu SLIMIT -1"),
    ("errors", "SELECT usage_user FROM cpu; SELECT FROM"),
    ("errors", "SELECT usage_user FROM cpu WHERE hostname = 'host_1' LIMIT 1 bogus"),
    ("errors", "SELECT elapsed(usage_user, 0s) FROM cpu"),
    ("errors", "SELECT integral(usage_user, 0s) FROM cpu"),
    ("errors", "SELECT percentile(usage_user, 'x') FROM cpu"),
    ("errors", "SELECT chande_momentum_oscillator(usage_user, 1, -1, 'bogus') FROM cpu"),
]

CATEGORIES = []
for _cat, _ in CORPUS:
    if _cat not in CATEGORIES:
        CATEGORIES.append(_cat)


def queries():
    """[(category, query)] in corpus order."""
    return list(CORPUS)


def duplicates():
    seen, out = set(), []
    for cat, q in CORPUS:
        if q in seen:
            out.append((cat, q))
        seen.add(q)
    return out


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(q, values):
    """Replaces Grafana's macros and the {name} placeholders known in values
    (a {n} of a regex quantifier is left alone)."""
    q = q.replace("$timeFilter", values["$timeFilter"]).replace("$__interval", values["$__interval"])
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), q)


def placeholders(data, db):
    """The values of the placeholders for an influxql_data.Data set."""
    import datetime
    HOUR = 3600 * 10**9
    points = {"start": data.end - 2 * HOUR, "mid": data.end - HOUR, "end": data.end,
              "wstart": data.bounds["weather"][0], "sfirst": data.bounds["sensors"][0],
              "slast": data.bounds["sensors"][1], "dst": data.dst_change}
    v = {"db": db}
    for name, ns in points.items():
        v[name] = ns
        v[name + "_ms"] = ns // 10**6
        v[name + "_s"] = ns // 10**9
        v[name + "_u"] = ns // 10**3
        d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        frac = f"{ns % 10**9:09d}".rstrip("0")
        v[name + "_rfc"] = d + ("." + frac if frac else "") + "Z"
        v[name + "_sql"] = d.replace("T", " ")
        v[name + "_day"] = d[:10]
        d2 = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone(datetime.timedelta(hours=2)))
        v[name + "_rfc2"] = d2.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "+02:00"
    v["$timeFilter"] = f"time >= {v['mid_ms']}ms and time <= {v['end_ms']}ms"
    v["$__interval"] = "1m"
    return v


if __name__ == "__main__":
    counts = {}
    for cat, _ in CORPUS:
        counts[cat] = counts.get(cat, 0) + 1
    for cat in CATEGORIES:
        print(f"{cat}: {counts[cat]}")
    print(f"total: {len(CORPUS)}")
    for cat, q in duplicates():
        print(f"  duplicate: [{cat}] {q}")
