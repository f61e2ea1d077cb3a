// The AWS SDK for JavaScript v3 (@aws-sdk/client-timestream-write and
// -query, installed by scripts/deps.sh into .node-deps/) against a Strata
// server: compat-tests/test_timestream_js.py starts the server, makes the
// users and their access keys, runs this script and checks what it prints.
//
// This script only drives the SDK: every call is printed as one JSON line
//   {"step": NAME, "op": OPERATION, "as": WHO, "input": {...},
//    "status": HTTP status, "output": {...}}            (success)
//    ... "error": {"name", "message", "fault", <modeled members>}}  (failure)
// (a Date the SDK parsed is printed as {"$date": ISO}), plus a few lines of
// facts ("times", "sdk", "discovery", "disc.sent"). The runner asserts on them, so a
// failure names the step, the request and the answer.
//
// Environment: STRATA_NODE_DEPS (the npm prefix holding node_modules),
// STRATA_TS_ENDPOINT (http://127.0.0.1:PORT), STRATA_TS_REGION,
// STRATA_TS_KEYS (JSON {"admin": [id, secret], "user": [...], "reader": [...]}),
// STRATA_TS_DB, STRATA_TS_DB2. With the argument "discovery" it runs
// discoveryTls (below) instead, against a TLS server (STRATA_TS_TLS_PORT,
// STRATA_TS_CA).
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

function emit(rec) {
  process.stdout.write(
    JSON.stringify(rec, function (k, v) {
      const orig = this[k];
      if (orig instanceof Date) return { $date: isNaN(orig) ? String(orig) : orig.toISOString() };
      if (typeof orig === "bigint") return orig.toString();
      return v;
    }) + "\n",
  );
}

const deps = process.env.STRATA_NODE_DEPS;
const require = createRequire(path.join(deps, "package.json"));
let W, Q;
try {
  W = require("@aws-sdk/client-timestream-write");
  Q = require("@aws-sdk/client-timestream-query");
} catch (e) {
  emit({ step: "sdk", error: { name: "SDKNotInstalled", message: String(e) } });
  process.exit(2);
}
const version = (p) =>
  JSON.parse(fs.readFileSync(path.join(deps, "node_modules", p, "package.json"), "utf8")).version;
emit({
  step: "sdk",
  output: {
    node: process.version,
    write: version("@aws-sdk/client-timestream-write"),
    query: version("@aws-sdk/client-timestream-query"),
  },
});

const endpoint = process.env.STRATA_TS_ENDPOINT;
const region = process.env.STRATA_TS_REGION;
const keys = JSON.parse(process.env.STRATA_TS_KEYS);
const DB = process.env.STRATA_TS_DB;
const DB2 = process.env.STRATA_TS_DB2;
const T = "sensors";
const TMAG = "archive";
const T2 = "other";

// maxAttempts 1: an answer the SDK would retry (429, 5xx) shows as it is
function clients(key) {
  const cfg = {
    region,
    endpoint,
    credentials: { accessKeyId: key[0], secretAccessKey: key[1] },
    maxAttempts: 1,
  };
  return { w: new W.TimestreamWriteClient(cfg), q: new Q.TimestreamQueryClient(cfg) };
}
const admin = clients(keys.admin);
const user = clients(keys.user);
const reader = clients(keys.reader);
const badsecret = clients([keys.user[0], "x".repeat(40)]);
const who = new Map([
  [admin.w, "admin"], [admin.q, "admin"], [user.w, "user"], [user.q, "user"],
  [reader.w, "reader"], [reader.q, "reader"], [badsecret.w, "badsecret"], [badsecret.q, "badsecret"],
]);

function errInfo(e) {
  const o = { name: e.name, message: e.message, fault: e.$fault };
  for (const k of Object.keys(e)) if (!k.startsWith("$") && k !== "name" && k !== "message") o[k] = e[k];
  return o;
}

async function call(step, client, Cmd, input, extra = {}) {
  const rec = { step, op: Cmd.name.replace(/Command$/, ""), as: who.get(client), ...extra, input };
  try {
    const out = await client.send(new Cmd(input));
    rec.status = out.$metadata?.httpStatusCode;
    const o = { ...out };
    delete o.$metadata;
    rec.output = o;
  } catch (e) {
    rec.status = e.$metadata?.httpStatusCode;
    rec.error = errInfo(e);
  }
  emit(rec);
  return rec;
}

// ------------------------------------------------------------------ times
// S: a whole minute about an hour ago (inside every memory store window
// used below); bins of 10 s and the 100-record batch start on it.
const nowMs = Date.now();
const S = Math.floor((nowMs / 1000 - 3600) / 60) * 60;
const Sb = BigInt(S);
const OLD_MS = nowMs - 30 * 3600 * 1000; // outside 24 h of memory, inside 7 days of magnetic
const ANCIENT_MS = nowMs - 10 * 86400 * 1000; // outside both
emit({ step: "times", output: { S, nowMs, OLD_MS, ANCIENT_MS } });

async function main() {
  // ---------------------------------------------------------- databases
  await call("db.create", admin.w, W.CreateDatabaseCommand, {
    DatabaseName: DB, Tags: [{ Key: "owner", Value: "js" }],
  });
  await call("db.create2", admin.w, W.CreateDatabaseCommand, { DatabaseName: DB2 });
  await call("db.create.dup", admin.w, W.CreateDatabaseCommand, { DatabaseName: DB });
  await call("db.create.denied", user.w, W.CreateDatabaseCommand, { DatabaseName: DB + "_mine" });
  await call("db.describe", user.w, W.DescribeDatabaseCommand, { DatabaseName: DB });
  await call("db.update", admin.w, W.UpdateDatabaseCommand, { DatabaseName: DB, KmsKeyId: "alias/strata-js" });
  await call("db.list.all", admin.w, W.ListDatabasesCommand, {});
  {
    let token;
    for (let page = 0; page < 50; page++) {
      const r = await call("db.list.page", admin.w, W.ListDatabasesCommand,
        { MaxResults: 1, ...(token && { NextToken: token }) }, { page });
      token = r.output?.NextToken;
      if (!token) break;
    }
  }
  await call("db.list.user", user.w, W.ListDatabasesCommand, {});

  // ---------------------------------------------------------- tables
  await call("table.create", user.w, W.CreateTableCommand, {
    DatabaseName: DB,
    TableName: T,
    RetentionProperties: { MemoryStoreRetentionPeriodInHours: 12, MagneticStoreRetentionPeriodInDays: 30 },
    MagneticStoreWriteProperties: {
      EnableMagneticStoreWrites: true,
      MagneticStoreRejectedDataLocation: {
        S3Configuration: { BucketName: "strata-rejects", ObjectKeyPrefix: "js/", EncryptionOption: "SSE_S3" },
      },
    },
    Tags: [{ Key: "env", Value: "test" }],
  });
  await call("table.create.mag", user.w, W.CreateTableCommand, {
    DatabaseName: DB,
    TableName: TMAG,
    RetentionProperties: { MemoryStoreRetentionPeriodInHours: 1, MagneticStoreRetentionPeriodInDays: 7 },
    MagneticStoreWriteProperties: { EnableMagneticStoreWrites: true },
  });
  await call("table.create2", admin.w, W.CreateTableCommand, { DatabaseName: DB2, TableName: T2 });
  await call("table.count", user.w, W.DescribeDatabaseCommand, { DatabaseName: DB });
  await call("table.create.dup", user.w, W.CreateTableCommand, { DatabaseName: DB, TableName: T });
  await call("table.describe", user.w, W.DescribeTableCommand, { DatabaseName: DB, TableName: T });
  await call("table.list", user.w, W.ListTablesCommand, { DatabaseName: DB });
  {
    let token;
    for (let page = 0; page < 50; page++) {
      const r = await call("table.list.page", user.w, W.ListTablesCommand,
        { DatabaseName: DB, MaxResults: 1, ...(token && { NextToken: token }) }, { page });
      token = r.output?.NextToken;
      if (!token) break;
    }
  }
  await call("table.update", user.w, W.UpdateTableCommand, {
    DatabaseName: DB,
    TableName: T,
    RetentionProperties: { MemoryStoreRetentionPeriodInHours: 24, MagneticStoreRetentionPeriodInDays: 60 },
    MagneticStoreWriteProperties: { EnableMagneticStoreWrites: false },
  });
  await call("table.describe.updated", user.w, W.DescribeTableCommand, { DatabaseName: DB, TableName: T });
  await call("table.describe.missing", user.w, W.DescribeTableCommand, { DatabaseName: DB, TableName: "nosuch" });

  // ---------------------------------------------------------- tags
  const dbArn = `arn:aws:timestream:${region}:000000000000:database/${DB}`;
  const tableArn = `${dbArn}/table/${T}`;
  await call("tag.db.list", admin.q, Q.ListTagsForResourceCommand, { ResourceARN: dbArn });
  await call("tag.table.list0", user.w, W.ListTagsForResourceCommand, { ResourceARN: tableArn });
  await call("tag.add", user.w, W.TagResourceCommand, {
    ResourceARN: tableArn, Tags: [{ Key: "team", Value: "strata" }, { Key: "env", Value: "prod" }],
  });
  await call("tag.table.list1", user.q, Q.ListTagsForResourceCommand, { ResourceARN: tableArn });
  await call("tag.remove", user.q, Q.UntagResourceCommand, { ResourceARN: tableArn, TagKeys: ["env"] });
  await call("tag.table.list2", user.w, W.ListTagsForResourceCommand, { ResourceARN: tableArn });

  // ---------------------------------------------------------- writes
  const ms = (s) => String(s * 1000);
  await call("write.single", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB,
    TableName: T,
    CommonAttributes: { Dimensions: [{ Name: "host", Value: "h1" }], TimeUnit: "MILLISECONDS", Time: ms(S) },
    Records: [
      ["d1", "m_double", "35", "DOUBLE"],
      ["d2", "m_double", "0.1", "DOUBLE"],
      ["d3", "m_double", "1655487883.771", "DOUBLE"],
      ["d4", "m_double", "-0.00001", "DOUBLE"],
      ["d5", "m_double", "123456.789", "DOUBLE"],
      ["b1", "m_bigint", "9007199254740993", "BIGINT"],
      ["b2", "m_bigint", "-42", "BIGINT"],
      ["v1", "m_varchar", 'héllo "wörld" ✓', "VARCHAR"],
      ["t1", "m_bool", "true", "BOOLEAN"],
      ["t2", "m_bool", "false", "BOOLEAN"],
    ].map(([kind, m, v, t]) => ({
      Dimensions: [{ Name: "kind", Value: kind }], MeasureName: m, MeasureValue: v, MeasureValueType: t,
    })),
  });
  await call("write.common", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB,
    TableName: T,
    CommonAttributes: {
      Dimensions: [{ Name: "host", Value: "h2" }], MeasureName: "m_flag", MeasureValueType: "BOOLEAN", TimeUnit: "SECONDS",
    },
    Records: [{ Time: String(S), MeasureValue: "true" }, { Time: String(S + 60), MeasureValue: "false" }],
  });
  await call("write.units", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB,
    TableName: T,
    Records: [
      ["SECONDS", String(Sb)],
      ["MILLISECONDS", String(Sb * 1000n + 123n)],
      ["MICROSECONDS", String(Sb * 1000000n + 123456n)],
      ["NANOSECONDS", String(Sb * 1000000000n + 123456789n)],
    ].map(([unit, time], i) => ({
      Dimensions: [{ Name: "unit", Value: unit }], MeasureName: "m_unit", MeasureValue: String(i + 1),
      MeasureValueType: "DOUBLE", Time: time, TimeUnit: unit,
    })),
  });
  await call("write.multi", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB,
    TableName: T,
    Records: [
      {
        Dimensions: [{ Name: "host", Value: "h3" }], MeasureName: "metrics", MeasureValueType: "MULTI",
        Time: String(S * 1000 + 500), TimeUnit: "MILLISECONDS",
        MeasureValues: [
          { Name: "cpu", Value: "12.5", Type: "DOUBLE" },
          { Name: "mem", Value: "1024", Type: "BIGINT" },
          { Name: "state", Value: "ok", Type: "VARCHAR" },
          { Name: "up", Value: "true", Type: "BOOLEAN" },
          { Name: "boot", Value: String((S - 86400) * 1000 + 250), Type: "TIMESTAMP" },
        ],
      },
      {
        Dimensions: [{ Name: "host", Value: "h3" }], MeasureName: "metrics", MeasureValueType: "MULTI",
        Time: String(S + 1), TimeUnit: "SECONDS",
        MeasureValues: [{ Name: "cpu", Value: "99.5", Type: "DOUBLE" }],
      },
    ],
  });
  const batch = [];
  for (let i = 0; i < 100; i++)
    batch.push({
      Dimensions: [{ Name: "host", Value: "batch" }], MeasureName: "m_load", MeasureValue: String(i * 0.5),
      MeasureValueType: "DOUBLE", Time: ms(S + i),
    });
  await call("write.batch100", user.w, W.WriteRecordsCommand, { DatabaseName: DB, TableName: T, Records: batch });
  const many = [];
  for (let i = 0; i < 101; i++)
    many.push({
      Dimensions: [{ Name: "host", Value: "many" }], MeasureName: "m_many", MeasureValue: String(i),
      MeasureValueType: "DOUBLE", Time: ms(S + i),
    });
  await call("write.toomany", user.w, W.WriteRecordsCommand, { DatabaseName: DB, TableName: T, Records: many });

  // ---------------------------------------------------------- rejections
  const rec = (host, measure, value, type, timeMs, more = {}) => ({
    Dimensions: [{ Name: "host", Value: host }], MeasureName: measure, MeasureValue: value,
    MeasureValueType: type, Time: String(timeMs), ...more,
  });
  // T has 24 h of memory store and no magnetic store writes (table.update)
  await call("write.window", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("old", "m_old", "1", "DOUBLE", OLD_MS)],
  });
  // TMAG: 1 h of memory, magnetic store writes on for 7 days
  await call("write.mag", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: TMAG, Records: [rec("old", "m_old", "1", "DOUBLE", OLD_MS)],
  });
  await call("write.mag.window", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: TMAG, Records: [rec("old", "m_old", "2", "DOUBLE", ANCIENT_MS)],
  });
  const V = S * 1000 + 7000;
  await call("write.version.base", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("ver", "m_ver", "1", "DOUBLE", V)],
  });
  await call("write.version.same", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("ver", "m_ver", "1", "DOUBLE", V)],
  });
  await call("write.version.conflict", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T,
    Records: [rec("ver", "m_ver", "2", "DOUBLE", V, { Version: 1 })],
  });
  await call("write.version.v3", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("ver2", "m_ver", "30", "DOUBLE", V, { Version: 3 })],
  });
  await call("write.version.lower", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("ver2", "m_ver", "20", "DOUBLE", V, { Version: 2 })],
  });
  await call("write.version.higher", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("ver2", "m_ver", "40", "DOUBLE", V, { Version: 4 })],
  });
  await call("write.type", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("h9", "m_double", "5", "BIGINT", S * 1000 + 9000)],
  });
  await call("write.partial", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T,
    Records: [
      rec("p0", "m_part", "1.5", "DOUBLE", S * 1000),
      rec("p1", "m_part", "9", "DOUBLE", OLD_MS),
      rec("p2", "m_part", "2.5", "DOUBLE", S * 1000),
      rec("p3", "m_double", "x", "VARCHAR", S * 1000),
    ],
  });

  // ---------------------------------------------------------- queries
  const q = (step, client, QueryString, more = {}) => call(step, client, Q.QueryCommand, { QueryString, ...more });
  const FROM = `"${DB}"."${T}"`;
  await q("q.single", user.q,
    `SELECT kind, measure_name, measure_value::double, measure_value::bigint, measure_value::varchar, ` +
    `measure_value::boolean, time FROM ${FROM} WHERE host = 'h1' ORDER BY kind`);
  await q("q.common", user.q,
    `SELECT time, measure_value::boolean FROM ${FROM} WHERE measure_name = 'm_flag' ORDER BY time`);
  await q("q.units", user.q,
    `SELECT unit, time, measure_value::double FROM ${FROM} WHERE measure_name = 'm_unit' ORDER BY time`);
  await q("q.multi", user.q,
    `SELECT time, cpu, mem, state, up, boot FROM ${FROM} WHERE measure_name = 'metrics' ORDER BY time`);
  await q("q.count", user.q,
    `SELECT count(*) AS n, sum(measure_value::double) AS s, min(time) AS lo, max(time) AS hi ` +
    `FROM ${FROM} WHERE measure_name = 'm_load'`);
  await q("q.many", user.q, `SELECT count(*) FROM ${FROM} WHERE measure_name = 'm_many'`);
  await q("q.version", user.q,
    `SELECT host, measure_value::double FROM ${FROM} WHERE measure_name = 'm_ver' ORDER BY host`);
  await q("q.partial", user.q,
    `SELECT host, measure_value::double FROM ${FROM} WHERE measure_name = 'm_part' ORDER BY host`);
  await q("q.rejected", user.q,
    `SELECT measure_name, host FROM ${FROM} WHERE measure_name = 'm_old' OR host IN ('h9', 'p1', 'p3')`);
  await q("q.mag", user.q, `SELECT host, measure_value::double, time FROM "${DB}"."${TMAG}"`);
  await q("q.describe", user.q, `DESCRIBE ${FROM}`);
  await q("q.measures", user.q, `SHOW MEASURES FROM ${FROM}`);
  await q("q.timeseries", user.q,
    `SELECT host, CREATE_TIME_SERIES(time, measure_value::double) AS series FROM ${FROM} ` +
    `WHERE measure_name = 'm_load' GROUP BY host`);
  await q("q.bin", user.q,
    `SELECT bin(time, 10s) AS b, count(*) AS n, avg(measure_value::double) AS a FROM ${FROM} ` +
    `WHERE measure_name = 'm_load' AND time > ago(3h) GROUP BY bin(time, 10s) ORDER BY b`);
  {
    const text = `SELECT time, measure_value::double FROM ${FROM} WHERE measure_name = 'm_load' ORDER BY time`;
    let token;
    for (let page = 0; page < 200; page++) {
      const r = await call("q.page", user.q, Q.QueryCommand,
        { QueryString: text, MaxRows: 7, ...(token && { NextToken: token }) }, { page });
      token = r.output?.NextToken;
      if (!token) break;
    }
  }
  await q("q.syntax", user.q, "SELEC 1");
  await q("q.missing", user.q, `SELECT * FROM "${DB}"."nosuch"`);

  // ---------------------------------------------------------- cancel
  {
    const text = `SELECT time FROM ${FROM} WHERE measure_name = 'm_load' ORDER BY time`;
    const r = await q("cancel.open", user.q, text, { MaxRows: 1 });
    const id = r.output?.QueryId;
    await call("cancel.cancel", user.q, Q.CancelQueryCommand, { QueryId: id });
    await q("cancel.next", user.q, text, { MaxRows: 1, NextToken: r.output?.NextToken });
    await call("cancel.again", user.q, Q.CancelQueryCommand, { QueryId: id });
  }

  // ---------------------------------------------------------- auth
  await call("auth.badsecret.write", badsecret.w, W.DescribeDatabaseCommand, { DatabaseName: DB });
  await q("auth.badsecret.query", badsecret.q, "SELECT 1");
  await q("auth.reader.query", reader.q, `SELECT count(*) FROM ${FROM} WHERE measure_name = 'm_load'`);
  await call("auth.reader.write", reader.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T, Records: [rec("r", "m_intruder", "1", "DOUBLE", S * 1000)],
  });
  await q("auth.reader.after", admin.q, `SELECT count(*) FROM ${FROM} WHERE measure_name = 'm_intruder'`);
  await call("auth.nogrant.seed", admin.w, W.WriteRecordsCommand, {
    DatabaseName: DB2, TableName: T2, Records: [rec("s", "m_seed", "1", "DOUBLE", S * 1000)],
  });
  await call("auth.nogrant.write", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB2, TableName: T2, Records: [rec("u", "m_intruder", "1", "DOUBLE", S * 1000)],
  });
  await q("auth.nogrant.after", admin.q,
    `SELECT measure_name, count(*) AS n FROM "${DB2}"."${T2}" GROUP BY measure_name ORDER BY measure_name`);
  await q("auth.nogrant.query", user.q, `SELECT count(*) FROM "${DB2}"."${T2}"`);
  await call("auth.unknown.write", admin.w, W.WriteRecordsCommand, {
    DatabaseName: "nosuchdb", TableName: T, Records: [rec("u", "m_x", "1", "DOUBLE", S * 1000)],
  });
  await call("auth.unknown.describe", admin.w, W.DescribeDatabaseCommand, { DatabaseName: "nosuchdb" });
  await call("auth.unknown.table", user.w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: "nosuch", Records: [rec("u", "m_x", "1", "DOUBLE", S * 1000)],
  });

  // ---------------------------------------------------------- endpoints
  await call("endpoints.write", user.w, W.DescribeEndpointsCommand, {});
  await call("endpoints.query", user.q, Q.DescribeEndpointsCommand, {});
  await discovery();

  // ---------------------------------------------------------- deletes
  await call("delete.db.nonempty", admin.w, W.DeleteDatabaseCommand, { DatabaseName: DB });
  await call("delete.table", user.w, W.DeleteTableCommand, { DatabaseName: DB, TableName: T });
  await call("delete.table.mag", user.w, W.DeleteTableCommand, { DatabaseName: DB, TableName: TMAG });
  await call("delete.table2", admin.w, W.DeleteTableCommand, { DatabaseName: DB2, TableName: T2 });
  await call("delete.table.gone", user.w, W.DescribeTableCommand, { DatabaseName: DB, TableName: T });
  await call("delete.tables.list", user.w, W.ListTablesCommand, { DatabaseName: DB });
  await call("delete.db", admin.w, W.DeleteDatabaseCommand, { DatabaseName: DB });
  await call("delete.db2", admin.w, W.DeleteDatabaseCommand, { DatabaseName: DB2 });
  await call("delete.db.gone", admin.w, W.DescribeDatabaseCommand, { DatabaseName: DB });
  await call("delete.list", admin.w, W.ListDatabasesCommand, {});
}

// What the SDK does with a discovered Address. A client with an endpoint
// override never discovers (and refuses endpointDiscoveryEnabled: true), and
// one without would ask AWS itself; so a client without an override is given
// the Address Strata answered in its endpoint cache (where the SDK keeps what
// DescribeEndpoints returned), and its request is caught by a request handler
// that records it instead of sending it. The SDK's node handler passes
// hostname and port as they are to node's https.request (host, port).
async function discovery() {
  const got = await user.w.send(new W.DescribeEndpointsCommand({})).catch(() => null);
  const address = got?.Endpoints?.[0]?.Address;
  const out = { address, tries: [] };
  const bare = address ? address.replace(/^https?:\/\//, "") : "";
  for (const addr of address ? [address, bare, bare.replace(/:\d+$/, "")] : []) {
    let seen = null;
    const c = new W.TimestreamWriteClient({
      region,
      credentials: { accessKeyId: keys.user[0], secretAccessKey: keys.user[1] },
      endpointDiscoveryEnabled: true,
      maxAttempts: 1,
      requestHandler: {
        handle: async (req) => {
          seen = { protocol: req.protocol, hostname: req.hostname, port: req.port ?? null, path: req.path };
          throw new Error("recorded, not sent");
        },
      },
    });
    const cacheKey = JSON.stringify({ accessKeyId: keys.user[0] });
    c.config.endpointCache.set(cacheKey, [{ Address: addr, CachePeriodInMinutes: 10 }]);
    let err = null;
    await c.send(new W.DescribeDatabaseCommand({ DatabaseName: DB })).catch((e) => (err = e.message));
    out.tries.push({ address: addr, request: seen, error: err });
  }
  emit({ step: "discovery", output: out });
}

// Endpoint discovery for real (argument "discovery"): Strata over TLS
// (STRATA_TS_TLS_PORT, its CA in STRATA_TS_CA, a certificate naming the AWS
// hosts), clients with no endpoint and endpointDiscoveryEnabled: true, whose
// https agent connects the AWS host names to Strata (as DNS would). The SDK
// calls DescribeEndpoints at the AWS host, then sends the operations to the
// Address Strata answered (the bare Host it was called at, over TLS).
async function discoveryTls() {
  const https = await import("node:https");
  const tls = await import("node:tls");
  const port = Number(process.env.STRATA_TS_TLS_PORT);
  const ca = fs.readFileSync(process.env.STRATA_TS_CA);
  class ToStrata extends https.Agent {
    createConnection(options, cb) {
      const host = options.host || options.hostname;
      const to = host.endsWith(".amazonaws.com") ? { host: "127.0.0.1", port } : {};
      return tls.connect({ ...options, ...to, servername: host, ca }, cb);
    }
  }
  const sent = [];
  const cfg = {
    region,
    credentials: { accessKeyId: keys.user[0], secretAccessKey: keys.user[1] },
    endpointDiscoveryEnabled: true,
    maxAttempts: 1,
    requestHandler: { httpsAgent: new ToStrata({ ca, keepAlive: false }) },
  };
  const w = new W.TimestreamWriteClient(cfg);
  const q = new Q.TimestreamQueryClient(cfg);
  for (const [c, name] of [[w, "write"], [q, "query"]]) {
    who.set(c, "discovering " + name);
    c.middlewareStack.add(
      (next, ctx) => async (args) => {
        sent.push({ client: name, op: ctx.commandName.replace(/Command$/, ""),
          url: `${args.request.protocol}//${args.request.hostname}${args.request.port ? ":" + args.request.port : ""}` });
        return next(args);
      },
      { step: "finalizeRequest", name: "strataRecordRequests" },
    );
  }
  await call("disc.create", w, W.CreateDatabaseCommand, { DatabaseName: DB });
  await call("disc.table", w, W.CreateTableCommand, { DatabaseName: DB, TableName: T });
  await call("disc.write", w, W.WriteRecordsCommand, {
    DatabaseName: DB, TableName: T,
    Records: [{ Dimensions: [{ Name: "host", Value: "d" }], MeasureName: "m", MeasureValue: "2.5",
      MeasureValueType: "DOUBLE", Time: String(S * 1000) }],
  });
  await call("disc.query", q, Q.QueryCommand, { QueryString: `SELECT host, measure_value::double FROM "${DB}"."${T}"` });
  await call("disc.endpoints", w, W.DescribeEndpointsCommand, {});
  emit({ step: "disc.sent", output: sent });
}

(process.argv[2] === "discovery" ? discoveryTls() : main()).then(
  () => emit({ step: "end" }),
  (e) => {
    emit({ step: "crash", error: { name: e.name, message: e.message, stack: e.stack } });
    process.exit(1);
  },
);
