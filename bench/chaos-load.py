#!/usr/bin/python3
# bench/chaos-load.py: the clients and the counts of bench/run-chaos (see
# bench/README.md, "Chaos").  Standard library only.
#
#   chaos-load.py transfers SIMBASE FECHA PREFIX N
#       creates N transfers PREFIX<n> in the Banxico simulator
#   chaos-load.py load BASE KEY FECHA PREFIX N SECONDS OUTDIR
#       the mixed load: every request one JSON line in OUTDIR/requests.jsonl
#   chaos-load.py check BASE KEY OUTDIR GRACE
#       reads OUTDIR/requests.jsonl, faults.log, db-validations.tsv and
#       db-jobs.tsv, asks GET /v1/validations/{id} of every acknowledged
#       record, prints the totals and the four counts; exit 1 unless all 0
import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict

FINAL = {"valid", "not_found", "cep_unavailable", "error", "failed", "invalid"}
BANK = {"emisor": "40012", "receptor": "90646", "cuenta": "646180157048010399",
        "monto": "1500.00"}


def transfers(simbase, fecha, prefix, n):
    host = simbase.split("//", 1)[1]
    c = http.client.HTTPConnection(host, timeout=60)
    for lo in range(0, n, 2000):
        items = [dict(BANK, fecha=fecha, clave_rastreo="%s%d" % (prefix, i))
                 for i in range(lo, min(n, lo + 2000))]
        c.request("POST", "/_sim/transfers", json.dumps(items),
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 201:
            sys.exit("simulator refused the transfers: %d" % r.status)


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, rec):
        line = json.dumps(rec, separators=(",", ":"))
        with self.lock:
            self.f.write(line + "\n")


class Client:
    """One keep-alive connection to lighttpd; every request logged."""

    def __init__(self, name, base, key, log, timeout=15):
        self.name, self.host, self.key, self.log = name, base.split("//", 1)[1], key, log
        self.timeout = timeout
        self.conn = None

    def request(self, kind, ref, method, path, body=None, headers=(), timeout=None):
        h = {"Authorization": "Bearer " + self.key}
        if body is not None:
            h["Content-Type"] = "application/vnd.api+json"
        h.update(headers)
        rec = {"c": self.name, "kind": kind, "ref": ref, "method": method, "path": path,
               "t0": time.time()}
        status, data, rh = 0, b"", {}
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, timeout=timeout or self.timeout)
            self.conn.timeout = timeout or self.timeout
            if self.conn.sock is not None:
                self.conn.sock.settimeout(self.conn.timeout)
            self.conn.request(method, path, body, h)
            r = self.conn.getresponse()
            data = r.read()
            status, rh = r.status, {k.lower(): v for k, v in r.getheaders()}
            if rh.get("connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except Exception as e:  # noqa: BLE001 - every failure is logged
            rec["err"] = "%s: %s" % (type(e).__name__, e)
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
            self.conn = None
        rec["t1"] = time.time()
        rec["status"] = status
        rec["rid"] = rh.get("x-request-id")
        doc = None
        if data[:1] == b"{":
            try:
                doc = json.loads(data)
            except ValueError:
                doc = None
        code = vid = vstatus = None
        if isinstance(doc, dict):
            if doc.get("errors"):
                code = doc["errors"][0].get("code")
            d = doc.get("data")
            if isinstance(d, dict):
                vid = d.get("id")
                vstatus = (d.get("attributes") or {}).get("status")
        rec.update(code=code, id=vid, vstatus=vstatus)
        if rh.get("idempotent-replayed"):
            rec["replayed"] = True
        self.log.write(rec)
        return rec, rh


def body_of(fecha, clave):
    return json.dumps({"data": {"type": "validation", "attributes": dict(
        BANK, fecha=fecha, clave_rastreo=clave)}})


class Load:
    def __init__(self, base, key, fecha, prefix, n, seconds, outdir):
        self.base, self.key, self.fecha, self.prefix = base, key, fecha, prefix
        self.n, self.end = n, time.time() + seconds
        self.log = Log(os.path.join(outdir, "requests.jsonl"))
        self.lock = threading.Lock()
        self.next = 0
        self.unknown = 0
        self.ids = []      # acknowledged ids, for the readers
        self.etags = {}

    def clave(self):
        """A clave of its own for every client request: 1 in 10 unknown
        to the simulator (not_found), the others existing transfers."""
        with self.lock:
            if self.next < self.n and random.random() < 0.9:
                self.next += 1
                return "%s%d" % (self.prefix, self.next - 1)
            self.unknown += 1
            return "%sX%d" % (self.prefix, self.unknown)

    def acked(self, rec):
        if rec["status"] in (200, 201, 202) and rec.get("id"):
            with self.lock:
                self.ids.append(rec["id"])

    def running(self):
        return time.time() < self.end

    # -- the clients --------------------------------------------------------
    def poster(self, name, asynchronous):
        c = Client(name, self.base, self.key, self.log)
        path = "/v1/validate" + ("?async=1" if asynchronous else "")
        while self.running():
            cl = self.clave()
            rec, _ = c.request("async" if asynchronous else "sync", cl, "POST", path,
                               body_of(self.fecha, cl))
            self.acked(rec)
            if rec["status"] == 0 or rec["status"] >= 500:
                time.sleep(0.2)

    def idem(self, name):
        """POSTs with an Idempotency-Key, sync or async; after a failure, a
        timeout or a 409 the same request again with the same key (for at
        most 120 s), as a real client would; one in five acknowledged
        keys sent once more (the replay must name the same record)."""
        c = Client(name, self.base, self.key, self.log, timeout=12)
        while self.running():
            cl, key = self.clave(), "chaos-" + str(uuid.uuid4())
            path = "/v1/validate" + ("?async=1" if random.random() < 0.5 else "")
            first = time.time()
            while True:
                rec, _ = c.request("idem", cl, "POST", path, body_of(self.fecha, cl),
                                   {"Idempotency-Key": key})
                if rec["status"] in (200, 202):
                    self.acked(rec)
                    if random.random() < 0.2:
                        c.request("idem", cl, "POST", path, body_of(self.fecha, cl),
                                  {"Idempotency-Key": key})
                    break
                if rec["status"] not in (0, 409) and rec["status"] < 500:
                    break       # refused: nothing to retry
                if time.time() - first > 120:
                    break
                time.sleep(2 if rec["status"] == 409 else 1)

    def reader(self, name):
        c = Client(name, self.base, self.key, self.log, timeout=10)
        n = 0
        while self.running():
            n += 1
            with self.lock:
                vid = random.choice(self.ids) if self.ids else None
                etag = self.etags.get(vid)
            if n % 50 == 0:
                c.request("export", None, "GET", "/v1/validations/export?format=csv")
            elif n % 10 == 0:
                c.request("list", None, "GET", "/v1/validations?per_page=20&page=%d"
                          % random.randint(1, 3))
            elif vid is not None:
                h = {"If-None-Match": etag} if etag else {}
                rec, rh = c.request("poll" if etag else "get", vid, "GET",
                                    "/v1/validations/" + vid, headers=h)
                if rh.get("etag"):
                    with self.lock:
                        self.etags[vid] = rh["etag"]
            time.sleep(0.01)


def load(base, key, fecha, prefix, n, seconds, outdir):
    ld = Load(base, key, fecha, prefix, int(n), float(seconds), outdir)
    roles = [("sync1", ld.poster, (False,)), ("sync2", ld.poster, (False,)),
             ("async1", ld.poster, (True,)),
             ("async2", ld.poster, (True,)), ("idem1", ld.idem, ()),
             ("idem2", ld.idem, ()), ("read1", ld.reader, ()), ("read2", ld.reader, ())]
    ts = [threading.Thread(target=f, args=(name,) + a, name=name) for name, f, a in roles]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


# ---- the counts ------------------------------------------------------------
def read_faults(path):
    """faults.log: KIND START END [DETAIL]"""
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 3:
                continue
            end = float(p[2]) if p[2] != "-" else float(p[1])
            out.append((p[0], float(p[1]), end, " ".join(p[3:])))
    return out


# Which fault explains which 5xx (the rule bench/README.md states):
#   503 database_unavailable, bank_catalog_unavailable: MariaDB stopped
#   a 5xx of the web server itself (no X-Request-Id: lighttpd's 500
#       internal_error when the worker dies mid-request, 502/503
#       upstream_unavailable, 504 upstream_timeout): a worker killed by us
# each when the request ran (sent .. answered) during that fault, or at
# most GRACE seconds after its end.  Anything else, 500 internal_error
# above all, is not injected.
EXPLAINS = {
    "mariadb": {"database_unavailable", "bank_catalog_unavailable"},
    "worker": {"upstream_unavailable", "upstream_timeout", None},
}


def explained(rec, faults, grace):
    code = rec.get("code")
    front = rec.get("rid") is None
    for kind, start, end, _ in faults:
        k = kind.split("-")[0]
        if k not in EXPLAINS:
            continue
        allowed = EXPLAINS[k]
        ok = code in allowed or (k == "worker" and front)
        if ok and rec["t0"] <= end + grace and rec["t1"] >= start:
            return kind
    return None


def tsv(path, ncols):
    rows = []
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= ncols:
                rows.append(p)
    return rows


def check(base, key, outdir, grace):
    grace = float(grace)
    recs = []
    with open(os.path.join(outdir, "requests.jsonl")) as f:
        for line in f:
            recs.append(json.loads(line))
    faults = read_faults(os.path.join(outdir, "faults.log"))
    vals = tsv(os.path.join(outdir, "db-validations.tsv"), 3)
    by_id = {r[0]: r for r in vals}
    by_clave = defaultdict(list)
    for r in vals:
        by_clave[r[1]].append(r[0])

    # totals
    tot = Counter()
    for r in recs:
        tot[(r["kind"], r["status"], r.get("code") or (r.get("err", "").split(":")[0] or "-"))] += 1
    print("requests by client kind, HTTP status and code (0 = no answer: the exception):")
    for (k, s, c), n in sorted(tot.items(), key=lambda x: (x[0][0], x[0][1], str(x[0][2]))):
        print("  %-7s %3d %-28s %7d" % (k, s, c, n))
    print("  total %d requests" % len(recs))
    print("faults injected (%d):" % len(faults))
    fk = Counter(k for k, _, _, _ in faults)
    print("  " + ", ".join("%s %d" % (k, n) for k, n in sorted(fk.items())))
    st = Counter(r[2] for r in vals)
    print("records: %d; by status: %s" % (len(vals), ", ".join(
        "%s %d" % (k, n) for k, n in sorted(st.items()))))

    # lost: acknowledged, with an id, and no such record (MariaDB, GET)
    posts = [r for r in recs if r["method"] == "POST"]
    acked = {}
    for r in posts:
        if r["status"] in (200, 201, 202) and r.get("id"):
            acked.setdefault(r["id"], r)
    lost, stale = [], []
    c = Client("check", base, key, Log(os.path.join(outdir, "check.jsonl")), timeout=30)
    for vid, r in acked.items():
        row = by_id.get(vid)
        why = None
        if row is None:
            why = "not in MariaDB"
        elif row[1] != r["ref"]:
            why = "the record is of clave %s, the request of %s" % (row[1], r["ref"])
        else:
            g, _ = c.request("final", vid, "GET", "/v1/validations/" + vid)
            if g["status"] != 200:
                why = "GET answered %d %s" % (g["status"], g.get("code"))
            elif g.get("vstatus") != row[2]:
                stale.append((vid, "GET says %s, MariaDB %s" % (g.get("vstatus"), row[2])))
        if why:
            lost.append((vid, r["kind"], r["ref"], why))

    # duplicated: more than one record for one client request (one clave:
    # a request sent once, or one Idempotency-Key with its retries); an
    # Idempotency-Key whose answers name two records
    dup = []
    for cl, ids in by_clave.items():
        if len(ids) > 1:
            dup.append((cl, "%d records: %s" % (len(ids), " ".join(ids))))
    ids_of_ref = defaultdict(set)
    for r in posts:
        if r["kind"] == "idem" and r["status"] in (200, 202) and r.get("id"):
            ids_of_ref[r["ref"]].add(r["id"])
    for ref, ids in ids_of_ref.items():
        if len(ids) > 1 and len(by_clave.get(ref, [])) <= 1:
            dup.append((ref, "its answers name %d records: %s" % (len(ids), " ".join(sorted(ids)))))

    # stuck: not in a final status after the drain
    stuck = [(r[0], r[1], r[2]) for r in vals if r[2] not in FINAL]

    # non-injected 5xx
    injected = Counter()
    bad = []
    for r in recs:
        if r["status"] < 500:
            continue
        k = explained(r, faults, grace)
        if k:
            injected[k.split("-")[0]] += 1
        else:
            bad.append(r)

    noans = [r for r in recs if r["status"] == 0]
    print("no answer (client timeout or connection error): %d; 5xx explained by a fault: %s"
          % (len(noans), ", ".join("%s %d" % kv for kv in sorted(injected.items())) or "none"))
    print("rule: a 5xx is injected when its request ran during a fault or at most %.1f s"
          " after it, and its code is one that fault causes: MariaDB stopped ->"
          " 503 database_unavailable / bank_catalog_unavailable; worker killed -> the web"
          " server's own 5xx, without X-Request-Id (500 internal_error when the worker"
          " dies mid-request, 502/503 upstream_unavailable, 504 upstream_timeout)."
          " Anything else is not injected: 500 internal_error, 503 busy (the run sets"
          " banxico_max_concurrent = workers, which this load cannot fill), a 5xx"
          " during a memcached, runner or Banxico fault, a 5xx with no fault near." % grace)
    for name, items in (("lost", lost), ("duplicated", dup), ("stuck", stuck)):
        for it in items[:10]:
            print("  %s: %s" % (name, " ".join(str(x) for x in it)))
    for r in bad[:10]:
        print("  non-injected 5xx: %s %s %s %d %s rid=%s at %.3f..%.3f" % (
            r["c"], r["method"], r["path"], r["status"], r.get("code"), r.get("rid"),
            r["t0"], r["t1"]))
    for it in stale[:10]:
        print("  stale: %s" % " ".join(it))
    print("acknowledged records read back: %d (GET after the drain; %d answered another"
          " status than MariaDB's)" % (len(acked), len(stale)))
    print()
    print("records lost: %d" % len(lost))
    print("records duplicated: %d" % len(dup))
    print("records stuck: %d" % len(stuck))
    print("non-injected 5xx: %d" % len(bad))
    return 0 if not (lost or dup or stuck or bad or stale) else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "transfers" and len(argv) == 6:
        transfers(argv[2], argv[3], argv[4], int(argv[5]))
        return 0
    if len(argv) >= 2 and argv[1] == "load" and len(argv) == 9:
        load(*argv[2:9])
        return 0
    if len(argv) >= 2 and argv[1] == "check" and len(argv) == 6:
        return check(*argv[2:6])
    sys.stderr.write(__doc__ or "usage: see the head of bench/chaos-load.py\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
