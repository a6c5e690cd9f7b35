#!/usr/bin/env python3
"""Reads a results topic as a consumer written for the flat result shape would, with confluent-kafka.

Used by PlainShapeTests.swift. Reads every partition from its beginning until it has seen `count` distinct job IDs
(or --timeout passes: exit 3), and prints one JSON line per message whose status is completed:
{"job_id", "label", "confidence"}, taken with json.loads(value)["label"] and ["confidence"], as such a consumer does.
A completed result without them fails the read (exit 2).
"""

import json
import sys
import time
import uuid

from confluent_kafka import Consumer


def main():
    bootstrap, topic, count, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"flat-results-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "socket.nagle.disable": True,
        "fetch.wait.max.ms": 10,
    })
    consumer.subscribe([topic])
    deadline = time.monotonic() + timeout
    seen = set()
    try:
        while len(seen) < count:
            if time.monotonic() > deadline:
                print(f"timed out with {len(seen)} of {count} results", file=sys.stderr)
                sys.exit(3)
            for message in consumer.consume(num_messages=1000, timeout=0.2):
                if message.error():
                    continue
                value = json.loads(message.value())
                seen.add(value["job_id"])
                if value["status"] != "completed":
                    continue
                try:
                    line = {"job_id": value["job_id"], "label": value["label"], "confidence": value["confidence"]}
                except KeyError as missing:
                    print(f"completed result {value['job_id']} has no top-level {missing}", file=sys.stderr)
                    sys.exit(2)
                print(json.dumps(line))
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
