#!/usr/bin/env python3
"""Produces messages with confluent-kafka (its own bundled librdkafka) and prints where each one was stored.

Used by InteroperabilityTests.swift to check that kinfer's Swift consumer reads what another client wrote.
Reads the messages from standard input, one JSON object a line:
  {"key": <base64 or null>, "value": <base64 or null>, "headers": [[name, <base64 or null>], ...] or null}
and prints, for the n-th input line (from 0) once the broker acknowledged it:
  {"index": n, "partition": 2, "offset": 17}
Exits 0 when every message was acknowledged, 1 when any failed, 3 when --timeout passes first.
"""

import argparse
import base64
import json
import sys
import time

from confluent_kafka import KafkaException, Producer


def unb64(text):
    return None if text is None else base64.b64decode(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for the whole run")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    messages = [json.loads(line) for line in sys.stdin if line.strip()]
    producer = Producer({
        "bootstrap.servers": args.bootstrap_servers,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "socket.nagle.disable": True,
        "message.timeout.ms": int(args.timeout * 1000),
    })

    stored = {}
    failures = []

    def report(index):
        def on_delivery(error, message):
            if error is not None:
                failures.append(f"message {index}: {error}")
            else:
                stored[index] = (message.partition(), message.offset())
        return on_delivery

    for index, spec in enumerate(messages):
        headers = spec.get("headers")
        kwargs = {"key": unb64(spec.get("key")), "value": unb64(spec.get("value")), "on_delivery": report(index)}
        if headers is not None:
            kwargs["headers"] = [(name, unb64(value)) for name, value in headers]
        while True:
            try:
                producer.produce(args.topic, **kwargs)
                break
            except BufferError:
                producer.poll(0.1)  # local queue full: serve delivery reports, then retry
            except KafkaException as error:
                print(f"produce.py: message {index}: {error}", file=sys.stderr)
                return 1
        producer.poll(0)

    left = producer.flush(max(0.0, deadline - time.monotonic()))
    if left:
        print(f"produce.py: {left} messages still unacknowledged at the deadline", file=sys.stderr)
        return 3
    if failures:
        print("produce.py: " + "\n".join(failures[:20]), file=sys.stderr)
        return 1
    for index in range(len(messages)):
        partition, offset = stored[index]
        sys.stdout.write(json.dumps({"index": index, "partition": partition, "offset": offset}) + "\n")
    sys.stdout.flush()
    print(f"produce.py: {len(messages)} messages acknowledged", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
