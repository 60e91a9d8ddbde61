#!/usr/bin/env python3
"""A small fsx: random writes, truncates and reads on one file against an in-memory model.

Usage: fsx.py FILE SEED OPS MAXLEN

Every read (through the descriptor that writes, and after a close through a fresh one) is compared with the model;
the first difference stops the run with exit code 1 and a description of the operation and the offsets. Descriptors
are closed and reopened now and then, so changes are committed and read back as another open would see them.
"""
import os
import random
import sys


def fail(msg):
    print("fsx: " + msg, file=sys.stderr)
    sys.exit(1)


def check_read(fd, model, off, n, what):
    got = os.pread(fd, n, off)
    want = bytes(model[off:off + n])
    if got != want:
        first = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
        fail("%s: read %d bytes at %d: got %d bytes, want %d; first difference at %d (got %r want %r)"
             % (what, n, off, len(got), len(want), off + first, got[first:first + 8], want[first:first + 8]))


def main():
    path, seed, ops, maxlen = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(seed)
    model = bytearray()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    counts = {}
    for i in range(ops):
        op = rnd.choices(["write", "read", "truncate", "append", "reopen", "fsync"], [40, 30, 10, 10, 6, 4])[0]
        counts[op] = counts.get(op, 0) + 1
        what = "op %d (%s)" % (i, op)
        if op == "write":
            off = rnd.randrange(maxlen)
            n = rnd.randrange(1, min(maxlen - off, 65536) + 1)
            data = rnd.randbytes(n)
            if os.pwrite(fd, data, off) != n:
                fail(what + ": short write")
            if off > len(model):
                model.extend(bytes(off - len(model)))
            model[off:off + n] = data
        elif op == "append":
            data = rnd.randbytes(rnd.randrange(1, 65536))
            os.pwrite(fd, data, len(model))
            model.extend(data)
        elif op == "truncate":
            n = rnd.randrange(maxlen)
            os.ftruncate(fd, n)
            if n < len(model):
                del model[n:]
            else:
                model.extend(bytes(n - len(model)))
        elif op == "read":
            if model:
                off = rnd.randrange(len(model) + 100)
                check_read(fd, model, off, rnd.randrange(1, 131072), what)
        elif op == "fsync":
            os.fsync(fd)
        elif op == "reopen":
            os.close(fd)
            fd = os.open(path, os.O_RDWR)
            size = os.fstat(fd).st_size
            if size != len(model):
                fail("%s: size %d after reopen, want %d" % (what, size, len(model)))
            check_read(fd, model, 0, len(model) + 1, what + " whole file")
        size = os.fstat(fd).st_size
        if size != len(model):
            fail("%s: size %d, want %d" % (what, size, len(model)))
    os.close(fd)
    with open(path, "rb") as f:
        if f.read() != bytes(model):
            fail("the file differs from the model after the last close")
    print("fsx: seed %d, %d ops %s, final size %d" % (seed, ops, sorted(counts.items()), len(model)))


if __name__ == "__main__":
    main()
