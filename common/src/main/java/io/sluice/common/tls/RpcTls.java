package io.sluice.common.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.sluice.common.conf.SluiceConf;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The TLS side of one process's RPC: the JDK-provider {@link SslContext}s built once from {@link TlsKeys}, and the
 * {@link SslHandler}s the RPC pipelines put first. Immutable and thread-safe.
 *
 * <p>A client verifies the server's chain against {@link TlsKeys#TRUST} and, unless turned off, that the
 * certificate names the host it dialled. A server presents {@link TlsKeys#CERT} and, with
 * {@link TlsKeys#CLIENT_AUTH}, demands a client certificate signed by the trusted CAs. Every process can be both
 * (a worker serves data and calls the master), so the server side is built whenever a certificate is configured
 * and demanded only when a server starts ({@link #server()}).
 */
public final class RpcTls {
  private final SslContext client;
  /** Null when this process has no certificate: it can then only be a client. */
  private final SslContext server;
  private final boolean clientAuth;

  private RpcTls(SslContext client, SslContext server, boolean clientAuth) {
    this.client = client;
    this.server = server;
    this.clientAuth = clientAuth;
  }

  /**
   * The TLS configuration of {@code conf}, or null when {@link TlsKeys#ENABLED} is false.
   *
   * @throws IllegalArgumentException naming the key and file when a file is missing, unreadable, not PEM, or the
   *     key is open to others, does not belong to the certificate, or the certificate is expired
   */
  public static RpcTls from(SluiceConf conf) {
    if (!conf.get(TlsKeys.ENABLED)) {
      return null;
    }
    String[] protocols = protocols(conf.get(TlsKeys.PROTOCOLS));
    String certFile = conf.get(TlsKeys.CERT).trim();
    String keyFile = conf.get(TlsKeys.KEY).trim();
    if (certFile.isEmpty() != keyFile.isEmpty()) {
      throw new IllegalArgumentException("set both " + TlsKeys.CERT.name() + " and " + TlsKeys.KEY.name()
          + ", or neither");
    }
    String trustFile = conf.get(TlsKeys.TRUST).trim();
    X509Certificate[] trust = trustFile.isEmpty() ? null
        : PemFiles.certificates(TlsKeys.TRUST, Path.of(trustFile)).toArray(X509Certificate[]::new);
    boolean clientAuth = conf.get(TlsKeys.CLIENT_AUTH);
    List<X509Certificate> chain = null;
    PrivateKey key = null;
    if (!certFile.isEmpty()) {
      chain = PemFiles.certificates(TlsKeys.CERT, Path.of(certFile));
      key = PemFiles.privateKey(TlsKeys.KEY, Path.of(keyFile));
      PemFiles.requireMatch(key, chain.get(0), Path.of(keyFile), Path.of(certFile));
      requireValid(chain.get(0), certFile);
    }
    try {
      SslContextBuilder c = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(protocols)
          .trustManager(trust)
          .endpointIdentificationAlgorithm(conf.get(TlsKeys.VERIFY_HOSTNAME) ? "HTTPS" : null);
      if (key != null) {
        c.keyManager(key, chain);
      }
      SslContext server = key == null ? null : SslContextBuilder.forServer(key, chain).sslProvider(SslProvider.JDK)
          .protocols(protocols).trustManager(trust).clientAuth(clientAuth ? ClientAuth.REQUIRE : ClientAuth.NONE)
          .build();
      return new RpcTls(c.build(), server, clientAuth);
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot set up TLS from " + TlsKeys.CERT.name() + ", " + TlsKeys.KEY.name()
          + " and " + TlsKeys.TRUST.name() + ": " + e.getMessage(), e);
    }
  }

  private static String[] protocols(String list) {
    String[] wanted = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .toArray(String[]::new);
    Set<String> supported;
    try {
      supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getProtocols());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM offers no TLS", e);
    }
    for (String p : wanted) {
      if (!supported.contains(p)) {
        throw new IllegalArgumentException(TlsKeys.PROTOCOLS.name() + ": this JVM does not support '" + p
            + "' (it supports " + supported + ")");
      }
    }
    if (wanted.length == 0) {
      throw new IllegalArgumentException(TlsKeys.PROTOCOLS.name() + " names no protocol");
    }
    return wanted;
  }

  private static void requireValid(X509Certificate leaf, String certFile) {
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new IllegalArgumentException(TlsKeys.CERT.name() + " " + certFile + ": the certificate is valid from "
          + leaf.getNotBefore() + " to " + leaf.getNotAfter() + ", not now", e);
    }
  }

  /**
   * Checks that this process can serve TLS: call before a server binds, so a server without a certificate stops at
   * start.
   *
   * @throws IllegalArgumentException when no certificate and key are configured
   */
  public RpcTls server() {
    if (server == null) {
      throw new IllegalArgumentException(TlsKeys.ENABLED.name() + " is true, but a server needs "
          + TlsKeys.CERT.name() + " and " + TlsKeys.KEY.name() + " (its certificate and private key)");
    }
    return this;
  }

  /** A handler for a connection accepted by a server; see {@link #server()}. */
  public SslHandler newServerHandler(ByteBufAllocator alloc) {
    return server().server.newHandler(alloc);
  }

  /**
   * A handler for a connection this process opens to {@code host:port}; {@code host} as dialled (a name or an IP
   * literal) is what the server's certificate must name when hostname verification is on.
   */
  public SslHandler newClientHandler(ByteBufAllocator alloc, String host, int port) {
    return client.newHandler(alloc, host, port);
  }

  @Override
  public String toString() {
    return clientAuth ? "TLS, client certificates required" : "TLS";
  }
}
