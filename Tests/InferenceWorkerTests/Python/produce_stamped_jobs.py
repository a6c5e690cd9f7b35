#!/usr/bin/env python3
"""Produces plain-shape digit jobs the way Python, JavaScript and Java services stamp them, with confluent-kafka.

Used by PlainShapeTests.swift. Reads {"features": [[...], ...], "seconds": N, "milliseconds": N, "unstamped": N}
on stdin and produces, keyed by job ID, N jobs with `submitted_at: time.time()`, N with milliseconds as
`Date.now()` writes them, N with no `submitted_at`, and a few whose metadata is unreadable (which must run all the
same). Job i carries features[i % len(features)].

Prints one JSON line per acknowledged job: {"job_id", "index", "submitted_ms"}, where submitted_ms is the instant
kinfer must report: the stamp rounded to the millisecond (halves up) or, for jobs without a readable stamp, the
Kafka message's timestamp, which this script sets on each message. Exits 1 if any delivery fails.
"""

import json
import math
import sys
import time

from confluent_kafka import Producer

UNREADABLE_METADATA = [
    {"submitted_at": "yesterday"},
    {"submitted_at": -5},
    {"submitted_at": "2026-13-01T00:00:00Z"},
    {"submitted_at": "10000-01-01T00:00:00Z"},
    {"submitted_at": True},
    {"attempt": 0},
    {"timeout_ms": "soon"},
    {"model": 3},
    {"callback_url": 5},
    {"deadline": "whenever"},
]


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    spec = json.loads(sys.stdin.read())
    features = spec["features"]
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "socket.nagle.disable": True,
                         "linger.ms": 5})
    expected = {}
    failures = []

    def delivered(error, message):
        job_id = message.key().decode()
        if error is not None:
            failures.append(f"{job_id}: {error}")
            return
        print(json.dumps(expected[job_id]))

    def produce(index, kind, extra):
        job_id = f"py-{kind}-{index}"
        job = {"job_id": job_id, "image_url": f"s3://bucket/{index}.png", "features": features[index % len(features)]}
        job.update(extra)
        stamp = extra.get("submitted_at") if kind in ("seconds", "milliseconds") else None
        if kind == "seconds":
            submitted_ms = math.floor(stamp * 1000 + 0.5)
        elif kind == "milliseconds":
            submitted_ms = stamp
        else:
            submitted_ms = None
        # The message's own timestamp, set here so that the test knows what stands in for a missing stamp.
        message_ms = int(time.time() * 1000)
        expected[job_id] = {"job_id": job_id, "index": index, "submitted_ms": submitted_ms or message_ms}
        while True:
            try:
                producer.produce(topic, key=job_id, value=json.dumps(job), timestamp=message_ms, on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)

    index = 0
    for _ in range(spec["seconds"]):
        produce(index, "seconds", {"submitted_at": time.time()})
        index += 1
    for _ in range(spec["milliseconds"]):
        produce(index, "milliseconds", {"submitted_at": int(time.time() * 1000)})
        index += 1
    for _ in range(spec["unstamped"]):
        produce(index, "unstamped", {})
        index += 1
    for metadata in UNREADABLE_METADATA:
        produce(index, "unreadable", metadata)
        index += 1
    remaining = producer.flush(60)
    if remaining or failures:
        print(f"{remaining} undelivered, {len(failures)} failed: {failures[:5]}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
