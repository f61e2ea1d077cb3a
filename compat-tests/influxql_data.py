"""influxql_data: the data set of test_influx_select.py, line protocol at
nanosecond precision, deterministic from a fixed seed. Only the times
follow the caller's clock (everything is placed relative to an anchor
derived from `now_ns`), so that the data lies in the recent past where
neither server refuses it and `now() - 1h` style queries find it.

Measurements:

* cpu: TSBS's cpu-only shape. Tags hostname (host_0..host_N-1), region,
  datacenter, rack, os, arch, team, service, drawn per host; the ten float
  fields usage_user .. usage_guest_nice (0..100, up to 3 decimals, a random
  walk per field). One point every 10 s over the 2 hours before END, on
  whole multiples of 10 s (the test relies on that: a `now() - 1h` bound
  only moves across a point when the clock crosses a multiple of 10 s).
* sensors: three devices (tags device, building; two devices share a
  building) with irregular timestamps (about every 15 s, each with a
  sub-second part in nanoseconds, never on a whole second), gaps (minutes
  without points), points where some fields are missing. Fields:
    reading  integer counter that grows and is reset to a small value once
             (device d1), so non_negative_difference/derivative differ from
             difference/derivative;
    temp     float, negative values included, sometimes missing;
    status   string ("ok", "warn", "fail", one with a space and a quote);
    online   boolean;
    level    float in [-1, 1] (for acos/asin without NaN).
  No unsigned field: InfluxDB 1.6 (Debian's influxd) answers a `u` suffix
  with `400 unable to parse ...: invalid number` (unsigned integers exist
  only in builds with them enabled), so the reference cannot hold one.
* weather: tag location (paris, london, tokyo), field temperature (float)
  and humidity (integer; each place has a usual value, so that mode() has
  one answer), every 30 minutes over the 3 days before END: time zone day
  buckets (tz('Europe/Paris')) cross at least two midnights.
* dst: one series (city=paris), fields v (integer: the hour's number) and
  temp (float), every hour 60 hours either side of the last change of
  European summer time at least 3 days before END (up to 7 months back, so
  a server must keep old data: Strata runs with --retention 0): day and hour
  buckets in tz('Europe/Paris') of 23 and 25 hours.

Usage:
    d = influxql_data.generate(now_ns)          # or generate() for the clock
    d.text            the whole line protocol, one point a line, "\\n" ended
    d.first, d.last   the first / last timestamp of all data (ns)
    d.end             the anchor: END, a whole hour (cpu and sensors end
                      before it)
    d.dst_change      the summer time change the dst measurement surrounds
    d.bounds[m]       (first, last) of measurement m
    d.lines           the lines, in the order written (time order per
                      measurement)
"""
import random
import time

SEED = 20240611
HOUR = 3600 * 10**9
MIN = 60 * 10**9
SEC = 10**9

CPU_FIELDS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq",
              "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"]
REGIONS = {
    "us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c"],
    "us-west-2": ["us-west-2a", "us-west-2b"],
    "eu-central-1": ["eu-central-1a", "eu-central-1b"],
}
OSES = ["Ubuntu16.04LTS", "Ubuntu15.10", "Debian-9"]
ARCHES = ["x64", "x86"]
TEAMS = ["SF", "NYC", "LON", "CHI"]
SERVICES = ["6", "9", "18", "2"]


class Data:
    def __init__(self, lines, end, bounds):
        self.lines = lines
        self.text = "\n".join(lines) + "\n"
        self.end = end
        self.bounds = bounds
        self.first = min(b[0] for b in bounds.values())
        self.last = max(b[1] for b in bounds.values())


def anchor(now_ns):
    """END: the whole hour at least 5 minutes before now_ns (the data's
    shape relative to hour buckets is the same on every run)."""
    return (now_ns - 5 * MIN) // HOUR * HOUR


def walk(rng, v, step, lo=0.0, hi=100.0):
    v += rng.uniform(-step, step)
    return min(hi, max(lo, v))


def fmt_float(x, decimals=3):
    s = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def cpu_lines(rng, end, hosts):
    tagsets = []
    for h in range(hosts):
        region = rng.choice(sorted(REGIONS))
        tagsets.append(",".join([
            f"hostname=host_{h}", f"region={region}", f"datacenter={rng.choice(REGIONS[region])}",
            f"rack={rng.randrange(100)}", f"os={rng.choice(OSES)}", f"arch={rng.choice(ARCHES)}",
            f"team={rng.choice(TEAMS)}", f"service={rng.choice(SERVICES)}"]))
    state = [[rng.uniform(10, 90) for _ in CPU_FIELDS] for _ in range(hosts)]
    start = end - 2 * HOUR
    out = []
    for k in range(720):
        t = start + k * 10 * SEC
        for h in range(hosts):
            vals = state[h]
            for i in range(len(vals)):
                vals[i] = walk(rng, vals[i], 2.0)
            fields = ",".join(f"{f}={fmt_float(v)}" for f, v in zip(CPU_FIELDS, vals))
            out.append(f"cpu,{tagsets[h]} {fields} {t}")
    return out, (start, start + 719 * 10 * SEC)


# device, building, where its temperature starts (d3 goes below zero)
SENSORS = [("d1", "north", 5.0), ("d2", "north", 18.0), ("d3", "south", -4.0)]
STATUSES = ["ok", "ok", "ok", "warn", "fail", 'needs \\"service\\" now']


def sensor_lines(rng, end):
    start = end - 2 * HOUR + 3 * SEC
    points = []
    for dev, bld, temp in SENSORS:
        reading = rng.randrange(1000)
        level = rng.uniform(-1, 1)
        t = start + rng.randrange(SEC)
        n = 0
        while True:
            n += 1
            t += 15 * SEC + rng.randrange(-3 * SEC, 3 * SEC)
            if t >= end:
                break
            # never on a whole second: the sub-second part must survive
            if t % SEC == 0:
                t += 123
            # gaps: d2 is silent for 20 minutes, d3 for two 5 minute stretches
            rel = t - start
            if dev == "d2" and 40 * MIN <= rel < 60 * MIN:
                continue
            if dev == "d3" and (30 * MIN <= rel < 35 * MIN or 90 * MIN <= rel < 95 * MIN):
                continue
            reading += rng.randrange(0, 50)
            # the one counter reset: d1 restarts from a small value an hour in
            if dev == "d1" and n == 240:
                reading = 7
            temp = walk(rng, temp, 0.8, -20, 40)
            level = walk(rng, level, 0.2, -1, 1)
            fields = [f"reading={reading}i"]
            if n % 7 != 3:
                fields.append(f"temp={fmt_float(temp, 4)}")
            if n % 5 != 1:
                fields.append(f'status="{rng.choice(STATUSES)}"')
            if n % 11 != 5:
                fields.append(f"online={'true' if rng.random() < 0.8 else 'false'}")
            fields.append(f"level={fmt_float(level, 6)}")
            points.append((t, f"sensors,building={bld},device={dev} {','.join(fields)} {t}"))
    points.sort()
    return [p[1] for p in points], (points[0][0], points[-1][0])


def weather_lines(rng, end):
    start = end - 3 * 24 * HOUR
    out = []
    base = {"paris": 12.0, "london": 9.0, "tokyo": 18.0}
    # a usual humidity per place, so that mode() has one answer (InfluxDB's
    # choice among values seen equally often follows no documented rule)
    usual = {"paris": (70, 0.3), "london": (80, 0.25), "tokyo": (60, 0.2)}
    for k in range(3 * 48):
        t = start + k * 30 * MIN
        for loc in sorted(base):
            base[loc] = walk(rng, base[loc], 1.5, -10, 40)
            hum = usual[loc][0] if rng.random() < usual[loc][1] else rng.randrange(30, 100)
            out.append(f"weather,location={loc} temperature={fmt_float(base[loc], 2)},"
                       f"humidity={hum}i {t}")
    return out, (start, start + (3 * 48 - 1) * 30 * MIN)


def eu_dst_change(before_ns):
    """The last change of European summer time (01:00 UTC on the last
    Sunday of March or October) at or before before_ns."""
    import calendar
    import datetime
    year = datetime.datetime.fromtimestamp(before_ns // SEC, datetime.timezone.utc).year
    best = None
    for y in (year - 1, year):
        for month in (3, 10):
            last = max(d for d in range(25, 32) if calendar.weekday(y, month, d) == calendar.SUNDAY)
            t = calendar.timegm((y, month, last, 1, 0, 0)) * SEC
            if t <= before_ns and (best is None or t > best):
                best = t
    return best


def dst_lines(rng, end):
    """Hourly points 60 h either side of the last summer time change that
    is at least 3 days before END (so that the series is whole)."""
    change = eu_dst_change(end - 3 * 24 * HOUR)
    out = []
    for k in range(-60, 60):
        t = change + k * HOUR
        out.append(f"dst,city=paris v={k + 60}i,temp={fmt_float(10 + rng.uniform(-5, 5), 2)} {t}")
    return out, (change - 60 * HOUR, change + 59 * HOUR), change


def generate(now_ns=None, hosts=10):
    """The data set for a clock reading now_ns (default: now)."""
    if now_ns is None:
        now_ns = time.time_ns()
    end = anchor(now_ns)
    rng = random.Random(SEED)
    cpu, b_cpu = cpu_lines(rng, end, hosts)
    sensors, b_sensors = sensor_lines(rng, end)
    weather, b_weather = weather_lines(rng, end)
    dst, b_dst, change = dst_lines(rng, end)
    d = Data(dst + weather + cpu + sensors, end, {"cpu": b_cpu, "sensors": b_sensors, "weather": b_weather,
                                                  "dst": b_dst})
    d.dst_change = change
    return d


if __name__ == "__main__":
    d = generate()
    print(f"{len(d.lines)} lines, {d.first} .. {d.last} (end {d.end})")
    for m, (a, b) in sorted(d.bounds.items()):
        print(f"  {m}: {a} .. {b}")
