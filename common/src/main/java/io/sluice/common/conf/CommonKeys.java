package io.sluice.common.conf;

import java.time.Duration;


/** Configuration keys shared by every process: where the masters are and how RPC behaves. */
public final class CommonKeys {
  private CommonKeys() {}

  /** Comma-separated {@code host:port} RPC addresses of all masters (1, 3 or 5). */
  public static final ConfigKey<String> MASTER_ADDRESSES = ConfigKey.string("sluice.master.addresses",
      "localhost:7070", "Comma-separated host:port RPC addresses of all masters (1, 3 or 5).");

  /** Largest RPC frame accepted; a frame announcing more closes the connection without allocating it. */
  public static final ConfigKey<Long> RPC_MAX_FRAME = ConfigKey.bytes("sluice.rpc.max.frame.size", "16m",
      "Largest RPC frame accepted; a larger one closes the connection without being read.");

  /** How long a client waits for a TCP connection and the handshake. */
  public static final ConfigKey<Duration> RPC_CONNECT_TIMEOUT = ConfigKey.duration("sluice.rpc.connect.timeout",
      "5s", "How long to wait for a TCP connection and its handshake.");

  /** How long a client waits for the answer to one request before failing it with UNAVAILABLE. */
  public static final ConfigKey<Duration> RPC_CALL_TIMEOUT = ConfigKey.duration("sluice.rpc.call.timeout", "30s",
      "How long to wait for the answer to one request.");

  /** Use the native epoll transport when it is available (otherwise, or when false, NIO). */
  public static final ConfigKey<Boolean> RPC_EPOLL = ConfigKey.bool("sluice.rpc.epoll.enabled", true,
      "Use the native epoll transport where available; NIO otherwise.");

  /** The user name this process presents in the RPC handshake; empty means the OS user running it. */
  public static final ConfigKey<String> USER_NAME = ConfigKey.string("sluice.user.name", "",
      "User name presented to the master (SIMPLE identity); empty means the OS user.");

  /** How long a server lets a new connection take to complete its handshake (and authentication) before closing. */
  public static final ConfigKey<Duration> RPC_HANDSHAKE_TIMEOUT = ConfigKey.duration("sluice.rpc.handshake.timeout",
      "10s", "How long a server waits for a new connection to complete its handshake before closing it.");

  /**
   * The cluster's shared secret: when set, every RPC connection proves both ends know it (mutual HMAC-SHA256
   * challenge in the handshake, SECURITY.md). It must be the same on every process; prefer
   * {@link #SECURITY_SECRET_FILE}, which keeps it off command lines and out of readable configuration files.
   */
  public static final ConfigKey<String> SECURITY_SECRET = ConfigKey.secret("sluice.security.secret",
      "Shared secret every process must prove in the RPC handshake; empty means none. Prefer "
          + "sluice.security.secret.file.");

  /**
   * A file holding the shared secret (its contents, trimmed); the process refuses to start when the file is
   * readable or writable by group or others, as ssh does for a private key. Exclusive with {@link #SECURITY_SECRET}.
   */
  public static final ConfigKey<String> SECURITY_SECRET_FILE = ConfigKey.string("sluice.security.secret.file", "",
      "File holding the shared secret (mode 0600, owner only); empty means none. Exclusive with "
          + "sluice.security.secret.");
}
