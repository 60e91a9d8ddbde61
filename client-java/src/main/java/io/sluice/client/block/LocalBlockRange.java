package io.sluice.client.block;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Bytes of a file as they lie in a block file on this host: {@link #length} bytes at {@link #offset} of
 * {@link #file}, under a short-circuit lease that {@link #lease} names, unique for this process's life (the worker's
 * own lease ids count per connection and repeat after a reconnect). The worker keeps that file in place, holding that
 * block, only while the lease lasts, which is until the stream that named the range moves on or closes (see
 * {@code SluiceInputStream#readLocal}), unless {@link #hold} keeps it longer: a descriptor opened on the file is that
 * lease's, not the path's for good.
 */
public final class LocalBlockRange {
  private final Path file;
  private final long lease;
  private final long offset;
  private final int length;
  private final Supplier<LeaseHold> holder;

  LocalBlockRange(Path file, long lease, long offset, int length, Supplier<LeaseHold> holder) {
    this.file = file;
    this.lease = lease;
    this.offset = offset;
    this.length = length;
    this.holder = Objects.requireNonNull(holder);
  }

  public Path file() {
    return file;
  }

  /** The lease's number, the same for every range named under it. */
  public long lease() {
    return lease;
  }

  public long offset() {
    return offset;
  }

  public int length() {
    return length;
  }

  /**
   * Keeps the lease, and so the file holding these bytes, past the naming stream's moving on or closing, until
   * {@link LeaseHold#release}: for a range that another thread may still be using when that happens (a FUSE reply
   * libfuse splices after the callback that named it returned). Call it while the stream is still on the range, that
   * is before the stream's next call; null when its lease has already ended.
   */
  public LeaseHold hold() {
    return holder.get();
  }

  @Override
  public String toString() {
    return file + "@" + offset + "+" + length + " (lease " + lease + ")";
  }
}
