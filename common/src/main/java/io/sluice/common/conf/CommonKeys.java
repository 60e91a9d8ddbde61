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

}
