#!/usr/bin/env python3
"""Reads a whole topic with confluent-kafka (its own bundled librdkafka) and prints every message as a JSON line.

Used by InteroperabilityTests.swift to check what kinfer's Swift producer wrote. Each line:
  {"partition": 0, "offset": 12, "key": <base64 or null>, "value": <base64 or null>,
   "headers": [[name, <base64 or null>], ...]}     (headers [] when the message has none)
Reads every partition from its beginning to its end (partition EOF), then exits 0.
Exits 1 on a Kafka error, 3 when --timeout passes first.
"""

import argparse
import base64
import json
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for the whole read")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap_servers,
        "group.id": f"interop-python-{uuid.uuid4()}",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        # The embedded (mock) cluster needs these for low latency: a waiting fetch is not woken by new data.
        "socket.nagle.disable": True,
        "fetch.wait.max.ms": 10,
    })
    metadata = consumer.list_topics(args.topic, timeout=max(1.0, deadline - time.monotonic()))
    topic = metadata.topics.get(args.topic)
    if topic is None or topic.error is not None or not topic.partitions:
        print(f"consume.py: no such topic {args.topic}: {topic.error if topic else 'missing'}", file=sys.stderr)
        return 1
    partitions = sorted(topic.partitions)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])

    at_end = set()
    count = 0
    out = sys.stdout
    while len(at_end) < len(partitions):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print(f"consume.py: timed out after {count} messages; partitions at end: {sorted(at_end)}", file=sys.stderr)
            return 3
        message = consumer.poll(min(remaining, 1.0))
        if message is None:
            continue
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(message.partition())
                continue
            print(f"consume.py: {message.error()}", file=sys.stderr)
            return 1
        headers = message.headers() or []
        out.write(json.dumps({
            "partition": message.partition(),
            "offset": message.offset(),
            "key": b64(message.key()),
            "value": b64(message.value()),
            "headers": [[name, b64(value)] for name, value in headers],
        }) + "\n")
        count += 1
    out.flush()
    consumer.close()
    print(f"consume.py: read {count} messages from {len(partitions)} partitions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
