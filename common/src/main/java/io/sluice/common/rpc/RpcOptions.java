package io.sluice.common.rpc;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import java.time.Duration;
import java.util.UUID;

/**
 * How one endpoint speaks RPC: identity for the handshake, limits and timeouts. Immutable; the {@code with*}
 * methods return copies.
 */
public final class RpcOptions {
  /** Identifies this process's calls for retry deduplication on the master. */
  private static final String PROCESS_CLIENT_ID = UUID.randomUUID().toString();

  private final String user;
  private final String clientId;
  private final int maxFrameBytes;
  private final Duration connectTimeout;
  private final Duration callTimeout;
  private final Transport transport;

  private RpcOptions(String user, String clientId, int maxFrameBytes, Duration connectTimeout,
      Duration callTimeout, Transport transport) {
    this.user = user;
    this.clientId = clientId;
    this.maxFrameBytes = maxFrameBytes;
    this.connectTimeout = connectTimeout;
    this.callTimeout = callTimeout;
    this.transport = transport;
  }

  /** The built-in defaults, with the OS user. */
  public static RpcOptions defaults() {
    return from(SluiceConf.defaults());
  }

  /** Options from configuration: {@code sluice.rpc.*} and {@code sluice.user.name}. */
  public static RpcOptions from(SluiceConf conf) {
    String user = conf.get(CommonKeys.USER_NAME);
    long maxFrame = conf.get(CommonKeys.RPC_MAX_FRAME);
    if (maxFrame < 1024 || maxFrame > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(CommonKeys.RPC_MAX_FRAME.name() + " must be between 1k and 2g");
    }
    return new RpcOptions(user.isEmpty() ? System.getProperty("user.name") : user, PROCESS_CLIENT_ID,
        (int) maxFrame, conf.get(CommonKeys.RPC_CONNECT_TIMEOUT), conf.get(CommonKeys.RPC_CALL_TIMEOUT),
        Transport.choose(conf.get(CommonKeys.RPC_EPOLL)));
  }

  public RpcOptions withUser(String u) {
    return new RpcOptions(u, clientId, maxFrameBytes, connectTimeout, callTimeout, transport);
  }

  public RpcOptions withCallTimeout(Duration d) {
    return new RpcOptions(user, clientId, maxFrameBytes, connectTimeout, d, transport);
  }

  public RpcOptions withMaxFrameBytes(int max) {
    return new RpcOptions(user, clientId, max, connectTimeout, callTimeout, transport);
  }

  public RpcOptions withTransport(Transport t) {
    return new RpcOptions(user, clientId, maxFrameBytes, connectTimeout, callTimeout, t);
  }

  public String user() {
    return user;
  }

  public String clientId() {
    return clientId;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  public Transport transport() {
    return transport;
  }
}
