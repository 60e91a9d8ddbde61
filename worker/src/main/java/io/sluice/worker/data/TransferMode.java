package io.sluice.worker.data;

import java.util.Locale;

/**
 * How a worker sends the bytes of a cached block to a remote reader ({@code sluice.worker.data.transfer}); chosen
 * here and nowhere else. Zero copy is the default: the page cache goes to the socket without entering user space.
 * On some VMs sendfile over loopback is slower than plain writes (bench/datapath.sh measures both on the machine at
 * hand), so copying stays available.
 */
public enum TransferMode {
  /** A {@code FileRegion} per frame: sendfile on epoll, {@code FileChannel.transferTo} on NIO. */
  ZERO_COPY,
  /** Each frame read from the block file into a pooled direct buffer, then written. */
  COPY;

  /** Parses {@code zero-copy} or {@code copy} (any case). */
  public static TransferMode parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "zero-copy" -> ZERO_COPY;
      case "copy" -> COPY;
      default -> throw new IllegalArgumentException("sluice.worker.data.transfer = '" + value
          + "': expected zero-copy or copy");
    };
  }
}
