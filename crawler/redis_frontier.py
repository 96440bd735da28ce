"""The shared frontier of a distributed crawl in Redis: key layout, JSON codec, atomic steps.

No Scrapy here (the Scrapy components are crawler/redis_queue.py), so `lawgov ingest` and the
command line load fast.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass

import redis

DEFAULT_NAMESPACE = "lawgov:reports"


# -- keys and JSON codec ----------------------------------------------------------------------
@dataclass(frozen=True)
class RedisKeys:
    ns: str = DEFAULT_NAMESPACE

    @property
    def portals(self) -> str:
        return f"{self.ns}:portals"

    @property
    def requests(self) -> str:
        return f"{self.ns}:requests"

    @property
    def seen(self) -> str:
        return f"{self.ns}:seen"

    @property
    def workers(self) -> str:
        return f"{self.ns}:workers"

    @property
    def items(self) -> str:
        return f"{self.ns}:items"

    @property
    def items_processing(self) -> str:
        return f"{self.ns}:items:processing"

    @property
    def stats(self) -> str:
        return f"{self.ns}:stats"

    @property
    def ingest_crawl(self) -> str:
        return f"{self.ns}:ingest:crawl"

    def heartbeat(self, worker: str) -> str:
        return f"{self.ns}:worker:{worker}"

    def inflight(self, worker: str) -> str:
        return f"{self.ns}:inflight:{worker}"

    def all_keys(self, conn) -> list[str]:
        return [k.decode() if isinstance(k, bytes) else k for k in conn.scan_iter(match=f"{self.ns}:*")]


def to_jsonable(obj):
    """bytes -> {"$b64": ...}; dicts with non-str keys (Scrapy headers) -> {"$pairs": [[k, v], ...]}."""
    if isinstance(obj, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(obj)).decode("ascii")}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {k: to_jsonable(v) for k, v in obj.items()}
        return {"$pairs": [[to_jsonable(k), to_jsonable(v)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"cannot send a {type(obj).__name__} through Redis: {obj!r:.80}")


def from_jsonable(obj):
    if isinstance(obj, dict):
        if len(obj) == 1 and "$b64" in obj:
            return base64.b64decode(obj["$b64"])
        if len(obj) == 1 and "$pairs" in obj:
            return {from_jsonable(k): from_jsonable(v) for k, v in obj["$pairs"]}
        return {k: from_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [from_jsonable(v) for v in obj]
    return obj


def dumps(obj) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, separators=(",", ":"))


def loads(data: bytes | str):
    return from_jsonable(json.loads(data))


# -- atomic steps (Lua runs atomically in Redis: a worker killed between two steps loses nothing) --
# KEYS: seen, requests; ARGV: fingerprint ("" = dont_filter), payload. Returns 1 if queued.
PUSH_IF_UNSEEN = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
return 1
"""
# KEYS: requests, inflight; ARGV: token. Returns the payload or nil.
POP_TO_INFLIGHT = """
local payload = redis.call('RPOP', KEYS[1])
if payload then redis.call('HSET', KEYS[2], ARGV[1], payload) end
return payload
"""
# KEYS: heartbeat, inflight, requests, workers; ARGV: worker id, force ("1": requeue even if alive).
# Returns the number of requests put back, or -1 when the worker is alive.
REQUEUE_INFLIGHT = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local payloads = redis.call('HVALS', KEYS[2])
for _, p in ipairs(payloads) do redis.call('RPUSH', KEYS[3], p) end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return #payloads
"""


class RedisFrontier:
    """The shared state of one distributed crawl: queue, seen-filter, in-flight hashes, heartbeats."""

    def __init__(self, url: str, namespace: str = DEFAULT_NAMESPACE):
        self.url = url
        self.keys = RedisKeys(namespace)
        self.conn = redis.Redis.from_url(url)
        self._push = self.conn.register_script(PUSH_IF_UNSEEN)
        self._pop = self.conn.register_script(POP_TO_INFLIGHT)
        self._requeue = self.conn.register_script(REQUEUE_INFLIGHT)

    def push(self, payload: str, fingerprint: str | None) -> bool:
        return bool(self._push(keys=[self.keys.seen, self.keys.requests], args=[fingerprint or "", payload]))

    def pop(self, worker: str, token: str) -> bytes | None:
        return self._pop(keys=[self.keys.requests, self.keys.inflight(worker)], args=[token])

    def requeue(self, worker: str, *, force: bool = False) -> int:
        k = self.keys
        return int(self._requeue(keys=[k.heartbeat(worker), k.inflight(worker), k.requests, k.workers],
                                 args=[worker, "1" if force else "0"]))

    def requeue_dead_workers(self, except_worker: str | None = None) -> int:
        """Put back the in-flight requests of every worker whose heartbeat expired."""
        back = 0
        for w in self.conn.smembers(self.keys.workers):
            w = w.decode()
            if w != except_worker:
                back += max(self.requeue(w), 0)
        return back

    def beat(self, worker: str, ttl: float) -> None:
        pipe = self.conn.pipeline()
        pipe.sadd(self.keys.workers, worker)
        pipe.set(self.keys.heartbeat(worker), str(time.time()), px=int(ttl * 1000))
        pipe.execute()

    def snapshot(self) -> dict:
        """Queue lengths and liveness, for progress lines and for deciding when a crawl is over."""
        k = self.keys
        workers = [w.decode() for w in self.conn.smembers(k.workers)]
        pipe = self.conn.pipeline()
        pipe.llen(k.requests)
        pipe.llen(k.items)
        pipe.llen(k.items_processing)
        for w in workers:
            pipe.hlen(k.inflight(w))
            pipe.exists(k.heartbeat(w))
        r = pipe.execute()
        return {"queued": r[0], "items": r[1], "items_processing": r[2],
                "in_flight": sum(r[3::2]), "workers_alive": sum(r[4::2])}
