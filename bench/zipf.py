#!/usr/bin/env python3
"""A cache-aside client on a Zipf-skewed keyspace (bench/eviction.sh): GET a key, SET it on a miss.

Pipelines `--batch` GETs, then the SETs for the misses, over one connection (raw RESP, standard
library only). Prints "hits misses" counted over the measured operations (after `--warmup`).
"""
import argparse
import bisect
import random
import socket


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--keys", type=int, default=1_000_000)
    p.add_argument("--ops", type=int, default=1_000_000)
    p.add_argument("--warmup", type=int, default=500_000)
    p.add_argument("--value", type=int, default=1000)
    p.add_argument("--s", type=float, default=0.99)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()

    rng = random.Random(a.seed)
    weights, total = [], 0.0
    for rank in range(1, a.keys + 1):
        total += 1.0 / rank ** a.s
        weights.append(total)
    names = [b"zipf:%d" % i for i in range(a.keys)]
    rng.shuffle(names)  # the hot keys are spread over slots, not neighbours
    value = b"v" * a.value
    set_tail = b"\r\n$%d\r\n%s\r\n" % (len(value), value)

    sock = socket.create_connection(("127.0.0.1", a.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = sock.makefile("rb", buffering=1 << 20)

    def reply():
        line = reader.readline()
        kind = line[:1]
        if kind == b"$":
            n = int(line[1:-2])
            if n < 0:
                return None
            reader.read(n + 2)
            return True
        if kind == b"-":
            raise SystemExit("error reply: " + line.decode(errors="replace").strip())
        return line

    hits = misses = 0
    done = 0
    total_ops = a.warmup + a.ops
    while done < total_ops:
        batch = [names[bisect.bisect_left(weights, rng.random() * total)] for _ in range(min(a.batch, total_ops - done))]
        sock.sendall(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k) for k in batch))
        missed = [k for k in batch if reply() is None]
        if missed:
            sock.sendall(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s%s" % (len(k), k, set_tail) for k in missed))
            for _ in missed:
                reply()
        if done >= a.warmup:
            hits += len(batch) - len(missed)
            misses += len(missed)
        done += len(batch)
    print(hits, misses)


if __name__ == "__main__":
    main()
