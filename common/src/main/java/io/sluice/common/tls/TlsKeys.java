package io.sluice.common.tls;

import io.sluice.common.conf.ConfigKey;

/**
 * Configuration of TLS on Sluice RPC connections (client -> master, client -> worker, worker -> master, worker ->
 * worker); read once per process by {@link RpcTls#from}. SECURITY.md says how to make the files. Every process of a
 * cluster must agree on {@link #ENABLED}: a TLS server refuses a plaintext client and a TLS client cannot talk to a
 * plaintext server.
 */
public final class TlsKeys {
  private TlsKeys() {}

  /** Whether every RPC connection of this process is wrapped in TLS (JDK provider, no native library). */
  public static final ConfigKey<Boolean> ENABLED = ConfigKey.bool("sluice.rpc.tls.enabled", false,
      "Wrap every RPC connection in TLS; the same on every process of the cluster (SECURITY.md).");

  /**
   * This process's certificate chain (PEM, leaf first, then any intermediates). Required on servers (masters and
   * workers); on a client only when the servers demand client certificates ({@link #CLIENT_AUTH}).
   */
  public static final ConfigKey<String> CERT = ConfigKey.string("sluice.rpc.tls.cert", "",
      "PEM certificate chain of this process (leaf first); required on masters and workers.");

  /**
   * The private key of {@link #CERT}'s leaf: an unencrypted PKCS#8 PEM file ({@code BEGIN PRIVATE KEY}), readable
   * only by its owner (the process refuses a key file open to group or others, as ssh does).
   */
  public static final ConfigKey<String> KEY = ConfigKey.string("sluice.rpc.tls.key", "",
      "PEM PKCS#8 private key of sluice.rpc.tls.cert (mode 0600, owner only).");

  /**
   * The certificates this process trusts to sign its peers' certificates (PEM, one or more CA certificates). Empty
   * means the JVM's default trust store. Clients check the server's chain against it, and servers check clients'
   * chains when {@link #CLIENT_AUTH} is on.
   */
  public static final ConfigKey<String> TRUST = ConfigKey.string("sluice.rpc.tls.trust", "",
      "PEM CA certificates trusted to sign peers' certificates; empty means the JVM's default trust store.");

  /**
   * Whether a client checks that the server's certificate names the host it connected to (as HTTPS does: a DNS or
   * IP subject alternative name). Turning it off accepts any certificate the trusted CA signed, so any cluster
   * member's certificate can impersonate any server.
   */
  public static final ConfigKey<Boolean> VERIFY_HOSTNAME = ConfigKey.bool("sluice.rpc.tls.verify.hostname", true,
      "Clients check that the server's certificate names the host connected to (SAN); off accepts any "
          + "certificate the trusted CA signed.");

  /**
   * Whether servers demand a client certificate signed by {@link #TRUST} (mutual TLS). Then every process, CLI and
   * Hadoop clients included, needs {@link #CERT} and {@link #KEY}.
   */
  public static final ConfigKey<Boolean> CLIENT_AUTH = ConfigKey.bool("sluice.rpc.tls.client.auth", false,
      "Servers demand a client certificate signed by sluice.rpc.tls.trust (mutual TLS); every client then needs "
          + "a certificate and key.");

  /** The TLS versions offered and accepted, comma-separated. */
  public static final ConfigKey<String> PROTOCOLS = ConfigKey.string("sluice.rpc.tls.protocols",
      "TLSv1.3,TLSv1.2", "TLS versions offered and accepted, comma-separated.");
}
