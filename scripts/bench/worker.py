#!/usr/bin/env python3
"""The worker a Python team would write on confluent-kafka: kinfer-bench's `python` and `python-naive` subjects.

kinfer-bench worker starts this script against its embedded cluster (loopback) with the jobs it pre-loaded; it needs
confluent-kafka and orjson (scripts/test installs both into .venv). No model work: every job gets the same output.

  --mode best    consume(num_messages=1000), orjson decode and encode, produce to the job's partition with a
                 delivery callback that records the job's offset, commit(asynchronous=True) of the recorded offsets
                 every 200 ms, poll(0) in the loop; one process.
  --mode naive   poll one job, produce its result, flush(), commit(asynchronous=False), repeat.

Prints one JSON line: {"count", "failed", "seconds" (first job read to last delivery report), "cpu_seconds" (this
process's CPU time, all threads, from after the imports to after closing the clients), "sample" (the last result)}.
Exits 2 with a message on stderr when no job arrives or no report comes back for --idle-timeout seconds.
"""

import argparse
import functools
import sys
import time
from datetime import datetime, timezone

import orjson
from confluent_kafka import Consumer, Producer, TopicPartition

HEADERS = [("content-type", b"application/json"), ("kinfer-schema-version", b"1")]
OUTPUT = {"label": "3", "confidence": 0.75, "scores": [0.025] * 10}
COMMIT_INTERVAL = 0.2


def properties(pairs):
    config = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        config[name] = value
    return config


def result_of(job, started_at):
    # Timestamps as orjson writes datetimes (RFC 3339, microseconds, "Z"); submitted_at is passed through as read.
    return orjson.dumps(
        {
            "job_id": job["job_id"],
            "status": "completed",
            "label": OUTPUT["label"],
            "confidence": OUTPUT["confidence"],
            "output": OUTPUT,
            "attempts": job.get("attempt", 1),
            "model": job.get("model"),
            "model_version": "simulated-1",
            "worker": "bench-python",
            "submitted_at": job["submitted_at"],
            "started_at": started_at,
            "completed_at": datetime.now(timezone.utc),
        },
        option=orjson.OPT_UTC_Z,
    )


class Stalled(Exception):
    pass


def run_best(consumer, producer, args):
    next_offsets = {}  # job partition -> the offset to commit next, recorded by the delivery callback
    counts = {"delivered": 0, "failed": 0, "last": None}

    def delivered(partition, offset, err, _msg):
        if err is not None:
            counts["failed"] += 1
            return
        next_offsets[partition] = offset + 1
        counts["delivered"] += 1
        counts["last"] = time.monotonic()

    first = None
    taken = 0
    sample = b""
    last_commit = idle_since = time.monotonic()
    while counts["delivered"] + counts["failed"] < args.count:
        in_flight = taken > counts["delivered"] + counts["failed"]
        messages = consumer.consume(num_messages=1000, timeout=0 if in_flight else 0.01)
        if messages and first is None:
            first = time.monotonic()
        for message in messages:
            if message.error() is not None:
                continue
            job = orjson.loads(message.value())
            sample = result_of(job, datetime.now(timezone.utc))
            partition = message.partition()
            callback = functools.partial(delivered, partition, message.offset())
            while True:
                try:
                    producer.produce(args.results, sample, key=message.key(), partition=partition,
                                     headers=HEADERS, on_delivery=callback)
                    break
                except BufferError:
                    producer.poll(0.01)
            taken += 1
        producer.poll(0 if messages else (0.001 if in_flight else 0))
        now = time.monotonic()
        if now - last_commit >= COMMIT_INTERVAL:
            if next_offsets:
                consumer.commit(offsets=[TopicPartition(args.jobs, p, o) for p, o in next_offsets.items()],
                                asynchronous=True)
                next_offsets.clear()
            last_commit = now
        if messages or in_flight:
            idle_since = now
        elif now - idle_since > args.idle_timeout:
            raise Stalled(f"no job for {args.idle_timeout} s after {counts['delivered']} of {args.count} results")
    producer.flush(10)
    if next_offsets:
        consumer.commit(offsets=[TopicPartition(args.jobs, p, o) for p, o in next_offsets.items()],
                        asynchronous=False)
    return counts["delivered"], counts["failed"], (counts["last"] or first) - first, sample


def run_naive(consumer, producer, args):
    counts = {"delivered": 0, "failed": 0}

    def delivered(err, _msg):
        counts["failed" if err is not None else "delivered"] += 1

    first = last = None
    sample = b""
    idle_since = time.monotonic()
    while counts["delivered"] + counts["failed"] < args.count:
        message = consumer.poll(1.0)
        if message is None:
            if time.monotonic() - idle_since > args.idle_timeout:
                raise Stalled(f"no job for {args.idle_timeout} s after {counts['delivered']} of {args.count} results")
            continue
        if message.error() is not None:
            continue
        if first is None:
            first = time.monotonic()
        job = orjson.loads(message.value())
        sample = result_of(job, datetime.now(timezone.utc))
        producer.produce(args.results, sample, key=message.key(), headers=HEADERS, on_delivery=delivered)
        producer.flush()
        consumer.commit(message=message, asynchronous=False)
        last = idle_since = time.monotonic()
    return counts["delivered"], counts["failed"], last - first, sample


def main():
    cpu_start = time.process_time()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["best", "naive"], required=True)
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--jobs", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--idle-timeout", type=float, default=60)
    parser.add_argument("--consumer-property", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--producer-property", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()

    consumer = Consumer({
        **properties(args.consumer_property),
        "bootstrap.servers": args.bootstrap_servers,
        "group.id": args.group,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
    })
    producer = Producer({**properties(args.producer_property), "bootstrap.servers": args.bootstrap_servers})
    consumer.subscribe([args.jobs])
    run = run_best if args.mode == "best" else run_naive
    try:
        delivered, failed, seconds, sample = run(consumer, producer, args)
    except Stalled as stalled:
        print(f"worker.py --mode {args.mode}: {stalled}", file=sys.stderr)
        return 2
    finally:
        consumer.close()
    producer.flush(10)
    cpu_seconds = time.process_time() - cpu_start
    print(orjson.dumps({
        "count": delivered, "failed": failed, "seconds": seconds, "cpu_seconds": cpu_seconds,
        "sample": sample.decode(),
    }).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
