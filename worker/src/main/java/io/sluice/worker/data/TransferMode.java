package io.sluice.worker.data;

import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.tls.TlsKeys;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a worker sends the bytes of a cached block to a remote reader ({@code sluice.worker.data.transfer}); chosen
 * here and nowhere else. Zero copy is the default: the page cache goes to the socket without entering user space.
 * On some VMs sendfile over loopback is slower than plain writes (bench/datapath.sh measures each mode on the machine
 * at hand), so copying stays available, and {@link #MAPPED} copies once where {@link #COPY} copies twice. Under TLS
 * the bytes must be encrypted in user space anyway, and a {@code FileRegion} cannot pass Netty's {@code SslHandler}:
 * {@link #effective} then picks {@link #COPY} for zero copy.
 */
public enum TransferMode {
  /** A {@code FileRegion} per frame: sendfile on epoll, {@code FileChannel.transferTo} on NIO. */
  ZERO_COPY,
  /** Each frame read from the block file into a pooled direct buffer, then written. */
  COPY,
  /**
   * As {@link #COPY}, but a MEM block read before is kept mapped and written from its mapping: one copy per byte
   * where {@link #COPY} makes two (the worker's page-fault cost moves to a background thread, once per block).
   */
  MAPPED;

  private static final Logger LOG = LoggerFactory.getLogger(TransferMode.class);

  /** Parses {@code zero-copy}, {@code copy} or {@code mapped} (any case). */
  public static TransferMode parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "zero-copy" -> ZERO_COPY;
      case "copy" -> COPY;
      case "mapped" -> MAPPED;
      default -> throw new IllegalArgumentException("sluice.worker.data.transfer = '" + value
          + "': expected zero-copy, copy or mapped");
    };
  }

  /**
   * The mode a data server with {@code options} uses for {@code configured}: {@link #COPY} whenever its connections
   * use TLS, else the configured mode. Called once when the data server starts, and logs why when it overrides.
   */
  public static TransferMode effective(String configured, RpcOptions options) {
    TransferMode mode = parse(configured);
    if (mode == ZERO_COPY && options.tls().isPresent()) {
      LOG.info("sending cached blocks by copy, not zero copy: RPC uses TLS ({}=true), and encrypted bytes cannot "
          + "go from the page cache to the socket", TlsKeys.ENABLED.name());
      return COPY;
    }
    return mode;
  }
}
