package io.sluice.common.rpc;

import java.util.Locale;

/** Why a server refused a connection before serving it (the {@code reason} tag of the handshake-failure metric). */
public enum HandshakeFailure {
  /** A TLS server got a plaintext connection (a client without {@code sluice.rpc.tls.enabled}). */
  PLAINTEXT,
  /** The TLS handshake failed: an untrusted or mismatched certificate, no common protocol, a broken record. */
  TLS,
  /** The peer could not prove the cluster's shared secret (or presented none to a server that has one). */
  SECRET,
  /** The first frames were not a valid handshake (wrong kind, protocol version, no user, a corrupt frame). */
  PROTOCOL,
  /** The handshake did not finish within {@code sluice.rpc.handshake.timeout}. */
  TIMEOUT,
  /** The server already had {@code sluice.rpc.server.max.connections} connections open. */
  CONNECTIONS;

  /** The metric tag value: the name in lower case. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
