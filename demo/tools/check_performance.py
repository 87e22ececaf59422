#!/usr/bin/env python3
"""Check the demo council's performance CSVs (written by generate_performance.py).

Independent of the generator: it re-reads the files and the framework CSVs, checks
headers, references, periods, bands and missing values, then computes each
indicator's status with the rules of DOMAIN §2 (tolerance default 5% of |target|;
a missing value is overdue once today > period end + deadline_days) and checks that
every status occurs in the latest whole-area periods. Exits non-zero on failure.
"""
import csv
import datetime as dt
import os
import re
import sys
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.normpath(os.path.join(HERE, "..", "clackmannanshire"))
TODAY = dt.date(2026, 11, 23)

HEADERS = {
    "localities.csv": ["code", "name"],
    "indicators.csv": ["code", "title", "tier", "unit", "polarity", "frequency", "source", "owner", "tolerance",
                       "band_low", "band_high", "services", "outcomes", "by_locality", "deadline_days", "definition",
                       "benchmark_typology"],
    "targets.csv": ["indicator", "period", "target", "band_low", "band_high"],
    "measurements.csv": ["indicator", "period", "locality", "value", "missing_reason", "status", "note"],
    "benchmark-groups.csv": ["typology", "group", "area"],
    "benchmark-values.csv": ["indicator", "period", "area", "value"],
}
AREAS = ["Aberdeen City", "Aberdeenshire", "Angus", "Argyll and Bute", "City of Edinburgh", "Clackmannanshire",
         "Dumfries and Galloway", "Dundee City", "East Ayrshire", "East Dunbartonshire", "East Lothian",
         "East Renfrewshire", "Falkirk", "Fife", "Glasgow City", "Highland", "Inverclyde", "Midlothian", "Moray",
         "Na h-Eileanan Siar", "North Ayrshire", "North Lanarkshire", "Orkney Islands", "Perth and Kinross",
         "Renfrewshire", "Scottish Borders", "Shetland Islands", "South Ayrshire", "South Lanarkshire", "Stirling",
         "West Dunbartonshire", "West Lothian"]

errors = []


def err(msg):
    errors.append(msg)


def read(name, header=None):
    path = os.path.join(DIR, name)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if header is not None and rows[0] != header:
        err(f"{name}: header {rows[0]} != {header}")
    hdr = rows[0]
    return [dict(zip(hdr, r)) for r in rows[1:]], rows


# ---- periods ---------------------------------------------------------------
RX = {
    "quarterly": re.compile(r"^(\d{4})/(\d{2}) Q([1-4])$"),
    "financial-year": re.compile(r"^(\d{4})/(\d{2})$"),
    "academic-year": re.compile(r"^AY(\d{4})/(\d{2})$"),
    "monthly": re.compile(r"^(\d{4})-(\d{2})$"),
    "calendar-year": re.compile(r"^(\d{4})$"),
}


def parse_period(label, freq):
    """(sort key, end date) or None if the label is not a period of `freq`."""
    m = RX[freq].match(label)
    if not m:
        return None
    y = int(m.group(1))
    if freq in ("quarterly", "financial-year", "academic-year") and int(m.group(2)) != (y + 1) % 100:
        return None
    if freq == "quarterly":
        qn = int(m.group(3))
        end = {1: dt.date(y, 6, 30), 2: dt.date(y, 9, 30), 3: dt.date(y, 12, 31), 4: dt.date(y + 1, 3, 31)}[qn]
        return (y * 4 + qn - 1, end)
    if freq == "financial-year":
        return (y, dt.date(y + 1, 3, 31))
    if freq == "academic-year":
        return (y, dt.date(y + 1, 7, 31))
    if freq == "monthly":
        mo = int(m.group(2))
        if not 1 <= mo <= 12:
            return None
        nxt = dt.date(y + (mo == 12), mo % 12 + 1, 1)
        return (y * 12 + mo - 1, nxt - dt.timedelta(days=1))
    return (y, dt.date(y, 12, 31))


def dec(s, what):
    if s == "":
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        err(f"{what}: '{s}' is not a number")
        return None
    if not d.is_finite() or -d.as_tuple().exponent > 2:
        err(f"{what}: '{s}' has more than 2 decimal places")
    return d


# ---- status rules (DOMAIN §2) ---------------------------------------------
def tol_amount(tol, base):
    if tol == "":
        return Decimal(5) * abs(base) / 100
    if tol.endswith("%"):
        return Decimal(tol[:-1]) * abs(base) / 100
    return Decimal(tol)


def status(ind, value, target, band, end):
    if value is None:
        deadline = int(ind["deadline_days"] or 60)
        return "overdue" if TODAY > end + dt.timedelta(days=deadline) else "missing"
    pol = ind["polarity"]
    if pol == "data-only":
        return "no-target"
    if pol == "in-band":
        if band is None:
            return "no-target"
        lo, hi = band
        if lo <= value <= hi:
            return "green"
        if lo - tol_amount(ind["tolerance"], lo) <= value <= hi + tol_amount(ind["tolerance"], hi):
            return "amber"
        return "red"
    if target is None:
        return "no-target"
    t = tol_amount(ind["tolerance"], target)
    if pol == "higher-better":
        return "green" if value >= target else "amber" if value >= target - t else "red"
    return "green" if value <= target else "amber" if value <= target + t else "red"


def trend(pol, cur, prev, band):
    if cur is None or prev is None:
        return "none"
    stable = (cur == 0) if prev == 0 else abs(cur - prev) <= abs(prev) / 100
    if stable:
        return "stable"
    if pol == "higher-better":
        return "improving" if cur > prev else "worsening"
    if pol == "lower-better":
        return "improving" if cur < prev else "worsening"
    if pol == "in-band" and band:
        def dist(v):
            return band[0] - v if v < band[0] else v - band[1] if v > band[1] else 0
        a, b = dist(cur), dist(prev)
        return "improving" if a < b else "worsening" if a > b else "stable"
    return "up" if cur > prev else "down"


def main():
    people = {r["email"] for r in read("people.csv")[0]}
    services = {r["code"] for r in read("services.csv")[0]}
    outcomes = {r["code"]: r for r in read("outcomes.csv")[0]}
    local_outcomes = {c for c, r in outcomes.items() if r["kind"] == "local"}

    locs, _ = read("localities.csv", HEADERS["localities.csv"])
    inds, _ = read("indicators.csv", HEADERS["indicators.csv"])
    tgts, _ = read("targets.csv", HEADERS["targets.csv"])
    meas, _ = read("measurements.csv", HEADERS["measurements.csv"])
    bgs, _ = read("benchmark-groups.csv", HEADERS["benchmark-groups.csv"])
    bvs, _ = read("benchmark-values.csv", HEADERS["benchmark-values.csv"])

    code_rx = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
    loc_codes = [r["code"] for r in locs]
    if len(set(loc_codes)) != len(loc_codes):
        err("localities: duplicate code")
    for c in loc_codes:
        if not code_rx.match(c):
            err(f"localities: bad code {c}")
    if len(locs) != 5:
        err(f"localities: {len(locs)} rows, expected 5")

    # ---- indicators
    by_code = {}
    unlinked = []
    enums = {
        "tier": {"outcome", "service", "enabler"},
        "unit": {"percent", "count", "money", "days", "rate", "ratio", "score"},
        "polarity": {"higher-better", "lower-better", "in-band", "data-only"},
        "frequency": set(RX),
        "source": {"local", "LGBF", "SPI", "NPF", "partner"},
        "by_locality": {"yes", "no"},
    }
    for r in inds:
        c = r["code"]
        if c in by_code:
            err(f"indicator {c}: duplicate code")
        by_code[c] = r
        if not code_rx.match(c):
            err(f"indicator {c}: bad code")
        if c in outcomes:
            err(f"indicator {c}: clashes with an outcome code")
        for k, allowed in enums.items():
            if r[k] not in allowed:
                err(f"indicator {c}: {k} '{r[k]}' not allowed")
        if not r["title"]:
            err(f"indicator {c}: no title")
        if r["owner"] not in people:
            err(f"indicator {c}: owner {r['owner']} not in people.csv")
        tol = r["tolerance"]
        if tol and not re.match(r"^\d+(\.\d+)?%?$", tol):
            err(f"indicator {c}: bad tolerance {tol}")
        lo, hi = dec(r["band_low"], f"{c} band_low"), dec(r["band_high"], f"{c} band_high")
        if r["polarity"] == "in-band":
            if lo is None or hi is None or lo > hi:
                err(f"indicator {c}: in-band needs band_low <= band_high")
        elif r["band_low"] or r["band_high"]:
            err(f"indicator {c}: band given for {r['polarity']}")
        svcs = [s for s in r["services"].split(";") if s]
        outs = [o for o in r["outcomes"].split(";") if o]
        if r["services"] and ";".join(svcs) != r["services"] or r["outcomes"] and ";".join(outs) != r["outcomes"]:
            err(f"indicator {c}: malformed list")
        for s in svcs:
            if s not in services:
                err(f"indicator {c}: unknown service {s}")
        for o in outs:
            if o not in local_outcomes:
                err(f"indicator {c}: outcome {o} is not a local outcome")
        if not svcs and not outs:
            unlinked.append(c)
            if r["tier"] != "enabler":
                err(f"indicator {c}: linked to nothing but not an enabler")
        if r["tier"] == "outcome" and not outs:
            err(f"indicator {c}: outcome tier without outcomes")
        if r["tier"] == "service" and not svcs:
            err(f"indicator {c}: service tier without services")
        if r["deadline_days"] not in ("", "30", "90"):
            err(f"indicator {c}: deadline_days {r['deadline_days']}")
        if not r["definition"].endswith("Illustrative demo data."):
            err(f"indicator {c}: definition does not end with 'Illustrative demo data.'")
        typ = r["benchmark_typology"]
        if r["source"] == "LGBF" and typ not in ("people", "other"):
            err(f"indicator {c}: LGBF without people/other typology")
        if r["source"] != "LGBF" and typ:
            err(f"indicator {c}: typology on a non-LGBF indicator")
        if r["source"] == "LGBF" and r["frequency"] not in ("financial-year", "academic-year"):
            err(f"indicator {c}: LGBF indicator is {r['frequency']}")
    if len(inds) < 160:
        err(f"only {len(inds)} indicators")
    if len(unlinked) != 2:
        err(f"{len(unlinked)} indicators linked to nothing (expected exactly 2): {unlinked}")

    # ---- targets
    tmap = {}
    for r in tgts:
        c = r["indicator"]
        ind = by_code.get(c)
        if ind is None:
            err(f"target: unknown indicator {c}")
            continue
        p = parse_period(r["period"], ind["frequency"])
        if p is None:
            err(f"target {c}: period '{r['period']}' is not {ind['frequency']}")
            continue
        if (c, r["period"]) in tmap:
            err(f"target {c} {r['period']}: duplicate")
        t = dec(r["target"], f"target {c}")
        lo, hi = dec(r["band_low"], f"target {c}"), dec(r["band_high"], f"target {c}")
        pol = ind["polarity"]
        if pol == "data-only":
            err(f"target {c}: data-only indicator has a target")
        elif pol == "in-band":
            if lo is None or hi is None or lo > hi or t is not None:
                err(f"target {c} {r['period']}: in-band needs a band and no target")
        elif t is None or lo is not None or hi is not None:
            err(f"target {c} {r['period']}: needs a target and no band")
        tmap[(c, r["period"])] = (t, (lo, hi) if lo is not None else None)

    # ---- measurements
    mmap = {}
    series = defaultdict(dict)  # code -> {label: (key, end)}
    for r in meas:
        c = r["indicator"]
        ind = by_code.get(c)
        if ind is None:
            err(f"measurement: unknown indicator {c}")
            continue
        p = parse_period(r["period"], ind["frequency"])
        if p is None:
            err(f"measurement {c}: period '{r['period']}' is not {ind['frequency']}")
            continue
        if p[1] >= TODAY:
            err(f"measurement {c} {r['period']}: period has not ended")
        loc = r["locality"]
        if loc:
            if loc not in loc_codes:
                err(f"measurement {c}: unknown locality {loc}")
            if ind["by_locality"] != "yes":
                err(f"measurement {c}: locality row for an indicator not reported by locality")
        key = (c, r["period"], loc)
        if key in mmap:
            err(f"measurement {key}: duplicate")
        v = dec(r["value"], f"measurement {key}")
        if (v is None) != (r["missing_reason"] != ""):
            err(f"measurement {key}: value empty must go with a missing_reason, and only then")
        if r["status"] not in ("draft", "submitted", "assured"):
            err(f"measurement {key}: status {r['status']}")
        if v is not None and ind["unit"] == "percent" and not (Decimal(-100) <= v <= 100):
            err(f"measurement {key}: percent {v} out of range")
        if v is not None and v < 0 and ind["code"] != "LOC-FIN01":
            err(f"measurement {key}: negative value")
        mmap[key] = (v, r)
        if not loc:
            series[c][r["period"]] = p

    # completeness: every indicator has whole-area rows from its first to its latest
    # ended period, and locality rows for every locality where reported by locality
    latest = {}
    no_latest_target = []
    for c, ind in by_code.items():
        s = series.get(c)
        if not s:
            err(f"indicator {c}: no measurements")
            continue
        labels = sorted(s, key=lambda k: s[k][0])
        keys = [s[k][0] for k in labels]
        if keys != list(range(keys[0], keys[0] + len(keys))):
            err(f"indicator {c}: gap in whole-area periods")
        # the engine's series runs to the last period ended by today
        last_key, last_end = s[labels[-1]]
        step_days = {"monthly": 31, "quarterly": 92, "financial-year": 366, "academic-year": 366,
                     "calendar-year": 366}[ind["frequency"]]
        if (TODAY - last_end).days > step_days + 1:
            err(f"indicator {c}: latest period {labels[-1]} is not the latest ended period")
        latest[c] = labels
        if ind["by_locality"] == "yes":
            for lab in labels:
                for lc in loc_codes:
                    if (c, lab, lc) not in mmap:
                        err(f"indicator {c}: no {lc} row for {lab}")
        # every non-data-only indicator has a target for each measured period, except its latest year
        if ind["polarity"] != "data-only":
            missing_t = [lab for lab in labels if (c, lab) not in tmap]
            if missing_t and missing_t != labels[len(labels) - len(missing_t):]:
                err(f"indicator {c}: no target for {missing_t} (only the latest periods may lack one)")
            if missing_t:
                no_latest_target.append(c)

    # ---- statuses
    latest_status = Counter()
    latest_by = defaultdict(list)
    red2 = []
    trends = Counter()
    latest_ds = Counter()
    for c, labels in latest.items():
        ind = by_code[c]

        def st(lab):
            v = mmap[(c, lab, "")][0]
            t, band = tmap.get((c, lab), (None, None))
            if ind["polarity"] == "in-band" and band is None and ind["band_low"]:
                band = (Decimal(ind["band_low"]), Decimal(ind["band_high"]))  # the default band
            return status(ind, v, t, band, series[c][lab][1])

        s_last, s_prev = st(labels[-1]), st(labels[-2])
        latest_status[s_last] += 1
        latest_by[s_last].append(c)
        if s_last == "red" and s_prev == "red":
            red2.append(c)
        band = tmap.get((c, labels[-1]), (None, None))[1]
        trends[trend(ind["polarity"], mmap[(c, labels[-1], "")][0], mmap[(c, labels[-2], "")][0], band)] += 1
        latest_ds[mmap[(c, labels[-1], "")][1]["status"]] += 1
        for lab in labels[:-1]:
            if mmap[(c, lab, "")][1]["status"] != "assured":
                err(f"measurement {c} {lab}: not the latest period but not assured")
        if mmap[(c, labels[-1], "")][1]["status"] == "assured":
            err(f"measurement {c} {labels[-1]}: latest period is assured")
    for kind in ("green", "amber", "red", "no-target", "missing", "overdue"):
        if latest_status[kind] == 0:
            err(f"no indicator is {kind} in its latest period")
    if len(red2) < 6:
        err(f"only {len(red2)} indicators red in their last 2 periods")
    for t in ("improving", "worsening", "stable"):
        if trends[t] == 0:
            err(f"no indicator has a {t} trend")

    # ---- benchmark groups
    seen = set()
    groups = defaultdict(list)
    for r in bgs:
        if r["typology"] not in ("people", "other") or r["group"] not in ("1", "2", "3", "4"):
            err(f"benchmark group row {r}")
        if r["area"] not in AREAS:
            err(f"benchmark group: unknown area {r['area']}")
        if (r["typology"], r["area"]) in seen:
            err(f"benchmark group: {r['area']} twice in {r['typology']}")
        seen.add((r["typology"], r["area"]))
        groups[(r["typology"], r["group"])].append(r["area"])
    for typ in ("people", "other"):
        for g in "1234":
            if len(groups[(typ, g)]) != 8:
                err(f"benchmark group {typ} {g} has {len(groups[(typ, g)])} areas")
    if "Clackmannanshire" not in groups[("people", "3")] or "Clackmannanshire" not in groups[("other", "2")]:
        err("Clackmannanshire is not in people group 3 and other group 2")

    # ---- benchmark values
    bmap = {}
    for r in bvs:
        c = r["indicator"]
        ind = by_code.get(c)
        if ind is None:
            err(f"benchmark value: unknown indicator {c}")
            continue
        if ind["source"] != "LGBF":
            err(f"benchmark value for non-LGBF indicator {c}")
        if parse_period(r["period"], ind["frequency"]) is None:
            err(f"benchmark value {c}: period '{r['period']}' is not {ind['frequency']}")
        if r["area"] not in AREAS and r["area"] != "Scotland":
            err(f"benchmark value {c}: unknown area {r['area']}")
        key = (c, r["period"], r["area"])
        if key in bmap:
            err(f"benchmark value {key}: duplicate")
        v = dec(r["value"], f"benchmark value {key}")
        if v is None:
            err(f"benchmark value {key}: empty")
        elif ind["unit"] == "percent" and not (0 <= v <= 100):
            err(f"benchmark value {key}: percent out of range")
        bmap[key] = v
    lgbf = [c for c, r in by_code.items() if r["source"] == "LGBF"]
    for c in lgbf:
        ind = by_code[c]
        pre = "AY" if ind["frequency"] == "academic-year" else ""
        for y in range(2021, 2025):
            lab = f"{pre}{y}/{(y + 1) % 100:02d}"
            for a in AREAS + ["Scotland"]:
                if (c, lab, a) not in bmap:
                    err(f"benchmark value missing: {c} {lab} {a}")
            own = bmap.get((c, lab, "Clackmannanshire"))
            m = mmap.get((c, lab, ""), (None,))[0]
            if own is None or m is None or own != m:
                err(f"benchmark value {c} {lab}: Clackmannanshire {own} != measurement {m}")

    # ---- report
    print("== indicators:", len(inds))
    for k in ("tier", "polarity", "frequency", "source", "unit", "by_locality"):
        print(f"   by {k}:", dict(sorted(Counter(r[k] for r in inds).items())))
    print("   with tolerance set:", dict(Counter(r["tolerance"] or "(default 5%)" for r in inds).most_common()))
    print("   deadline_days:", dict(Counter(r["deadline_days"] or "(default 60)" for r in inds)))
    print("   linked to nothing:", unlinked)
    print("== rows:", {n: len(x) for n, x in (("localities.csv", locs), ("indicators.csv", inds),
                                             ("targets.csv", tgts), ("measurements.csv", meas),
                                             ("benchmark-groups.csv", bgs), ("benchmark-values.csv", bvs))})
    print("   measurements whole-area:", sum(1 for r in meas if not r["locality"]),
          " by locality:", sum(1 for r in meas if r["locality"]),
          " missing values:", sum(1 for r in meas if not r["value"]),
          " with notes:", sum(1 for r in meas if r["note"]))
    print("   measurement data status (all rows):", dict(Counter(r["status"] for r in meas)))
    print("== latest whole-area period, status:", dict(sorted(latest_status.items())))
    for k in ("amber", "red", "missing", "overdue", "no-target"):
        print(f"   {k}: {sorted(latest_by[k])}")
    print("   red in last 2 periods (escalation):", len(red2), sorted(red2))
    print("   trend vs previous period:", dict(sorted(trends.items())))
    print("   latest data status:", dict(latest_ds))
    print("   non-data-only indicators without a target in their latest year:", sorted(no_latest_target))
    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for e in errors[:200]:
            print("  -", e)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
