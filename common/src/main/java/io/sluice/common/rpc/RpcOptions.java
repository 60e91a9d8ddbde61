package io.sluice.common.rpc;

import io.sluice.common.auth.SharedSecret;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.tls.RpcTls;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * How one endpoint speaks RPC: identity for the handshake (user, client id, the cluster's shared secret), TLS,
 * limits and timeouts. Immutable; the {@code with*} methods return copies. Every process builds its options with
 * {@link #from}, so a setting read there (the secret, TLS) reaches every connection it opens or accepts.
 */
public final class RpcOptions {
  /** Identifies this process's calls for retry deduplication on the master. */
  private static final String PROCESS_CLIENT_ID = UUID.randomUUID().toString();

  private final String user;
  private final String clientId;
  private final int maxFrameBytes;
  private final Duration connectTimeout;
  private final Duration callTimeout;
  private final Duration handshakeTimeout;
  private final Transport transport;
  private final SharedSecret secret;
  private final RpcTls tls;

  private RpcOptions(String user, String clientId, int maxFrameBytes, Duration connectTimeout,
      Duration callTimeout, Duration handshakeTimeout, Transport transport, SharedSecret secret, RpcTls tls) {
    this.user = user;
    this.clientId = clientId;
    this.maxFrameBytes = maxFrameBytes;
    this.connectTimeout = connectTimeout;
    this.callTimeout = callTimeout;
    this.handshakeTimeout = handshakeTimeout;
    this.transport = transport;
    this.secret = secret;
    this.tls = tls;
  }

  /** The built-in defaults, with the OS user. */
  public static RpcOptions defaults() {
    return from(SluiceConf.defaults());
  }

  /**
   * Options from configuration: {@code sluice.rpc.*}, {@code sluice.user.name}, the shared secret
   * ({@code sluice.security.secret[.file]}) and TLS ({@code sluice.rpc.tls.*}, {@link io.sluice.common.tls.TlsKeys}).
   *
   * @throws IllegalArgumentException for a bad value, a secret file that is unreadable or open to others, or TLS
   *     files that are missing, unreadable, open to others (the key) or do not belong together
   */
  public static RpcOptions from(SluiceConf conf) {
    String user = conf.get(CommonKeys.USER_NAME);
    long maxFrame = conf.get(CommonKeys.RPC_MAX_FRAME);
    if (maxFrame < 1024 || maxFrame > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(CommonKeys.RPC_MAX_FRAME.name() + " must be between 1k and 2g");
    }
    return new RpcOptions(user.isEmpty() ? System.getProperty("user.name") : user, PROCESS_CLIENT_ID,
        (int) maxFrame, conf.get(CommonKeys.RPC_CONNECT_TIMEOUT), conf.get(CommonKeys.RPC_CALL_TIMEOUT),
        conf.get(CommonKeys.RPC_HANDSHAKE_TIMEOUT), Transport.choose(conf.get(CommonKeys.RPC_EPOLL)),
        SharedSecret.from(conf).orElse(null), RpcTls.from(conf));
  }

  public RpcOptions withUser(String u) {
    return new RpcOptions(u, clientId, maxFrameBytes, connectTimeout, callTimeout, handshakeTimeout, transport,
        secret, tls);
  }

  /**
   * These options with another client id: one per client object rather than the process's, where the server must
   * tell apart two clients of one process (the master does for FILE_CLOSING).
   */
  public RpcOptions withClientId(String id) {
    return new RpcOptions(user, id, maxFrameBytes, connectTimeout, callTimeout, handshakeTimeout, transport, secret,
        tls);
  }

  public RpcOptions withCallTimeout(Duration d) {
    return new RpcOptions(user, clientId, maxFrameBytes, connectTimeout, d, handshakeTimeout, transport, secret,
        tls);
  }

  public RpcOptions withMaxFrameBytes(int max) {
    return new RpcOptions(user, clientId, max, connectTimeout, callTimeout, handshakeTimeout, transport, secret,
        tls);
  }

  public RpcOptions withTransport(Transport t) {
    return new RpcOptions(user, clientId, maxFrameBytes, connectTimeout, callTimeout, handshakeTimeout, t, secret,
        tls);
  }

  /** How long a server gives a new connection to complete its handshake. */
  public RpcOptions withHandshakeTimeout(Duration d) {
    return new RpcOptions(user, clientId, maxFrameBytes, connectTimeout, callTimeout, d, transport, secret, tls);
  }

  /** The shared secret to prove (and demand) in every handshake; null for none. */
  public RpcOptions withSecret(SharedSecret s) {
    return new RpcOptions(user, clientId, maxFrameBytes, connectTimeout, callTimeout, handshakeTimeout, transport,
        s, tls);
  }

  /** TLS for every connection opened or accepted with these options; null for plaintext. */
  public RpcOptions withTls(RpcTls t) {
    return new RpcOptions(user, clientId, maxFrameBytes, connectTimeout, callTimeout, handshakeTimeout, transport,
        secret, t);
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

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  public Transport transport() {
    return transport;
  }

  /** The cluster's shared secret, when authentication is on. */
  public Optional<SharedSecret> secret() {
    return Optional.ofNullable(secret);
  }

  /** TLS settings, when {@code sluice.rpc.tls.enabled}. */
  public Optional<RpcTls> tls() {
    return Optional.ofNullable(tls);
  }
}
