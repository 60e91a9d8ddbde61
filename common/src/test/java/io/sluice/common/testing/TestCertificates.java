package io.sluice.common.testing;

import io.sluice.common.conf.SluiceConf;
import io.sluice.common.tls.TlsKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PEM files for TLS tests, made at run time with the JDK's {@code keytool} (no BouncyCastle, nothing checked in
 * that could expire): a test CA, a node certificate it signed for {@code localhost} and {@code 127.0.0.1} (server
 * and client use, as a real cluster member's), and a second, unrelated self-signed CA with its key (a stranger's
 * certificate). Made once per JVM (keytool runs take a few seconds) in a temporary directory removed at exit.
 */
public final class TestCertificates {
  private static final String PASS = "sluice-test";
  private static TestCertificates shared;

  private final Path caCert;
  private final Path nodeChain;
  private final Path nodeKey;
  private final Path strangerCert;
  private final Path strangerKey;

  private TestCertificates(Path dir) {
    caCert = dir.resolve("ca.pem");
    nodeChain = dir.resolve("node-chain.pem");
    nodeKey = dir.resolve("node-key.pem");
    strangerCert = dir.resolve("stranger.pem");
    strangerKey = dir.resolve("stranger-key.pem");
  }

  /** The files of this JVM, made on first use. */
  public static synchronized TestCertificates shared() throws IOException, InterruptedException {
    if (shared == null) {
      Path dir = Files.createTempDirectory("sluice-tls-test");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
      TestCertificates c = new TestCertificates(dir);
      try {
        c.make(dir);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot read back what keytool made", e);
      }
      shared = c;
    }
    return shared;
  }

  /** The test CA's certificate: what every member trusts. */
  public Path caCert() {
    return caCert;
  }

  /** The node's certificate chain (node, then CA); names {@code localhost} and {@code 127.0.0.1}. */
  public Path nodeChain() {
    return nodeChain;
  }

  /** The node's PKCS#8 private key, mode 0600. */
  public Path nodeKey() {
    return nodeKey;
  }

  /** A self-signed certificate of another CA, which the test CA did not sign. */
  public Path strangerCert() {
    return strangerCert;
  }

  /** The stranger's PKCS#8 private key, mode 0600. */
  public Path strangerKey() {
    return strangerKey;
  }

  /** {@code conf} with TLS on, as a cluster member: the node's certificate and key, trusting the test CA. */
  public SluiceConf member(SluiceConf conf) {
    return conf.with(TlsKeys.ENABLED, "true").with(TlsKeys.CERT, nodeChain.toString())
        .with(TlsKeys.KEY, nodeKey.toString()).with(TlsKeys.TRUST, caCert.toString());
  }

  private void make(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
    Path ca = dir.resolve("ca.p12");
    Path node = dir.resolve("node.p12");
    Path stranger = dir.resolve("stranger.p12");
    Path csr = dir.resolve("node.csr");
    Path signed = dir.resolve("node.crt");
    // The three key pairs at once: each keytool run is mostly JVM start-up.
    run(List.of(
        genKeyPair(ca, "CN=Sluice Test CA", "-ext", "bc:c"),
        genKeyPair(node, "CN=localhost"),
        genKeyPair(stranger, "CN=Stranger CA", "-ext", "bc:c")));
    run(List.of(keytool("-certreq", "-alias", "key", "-keystore", node.toString(), "-file", csr.toString())));
    run(List.of(keytool("-gencert", "-alias", "key", "-keystore", ca.toString(), "-infile", csr.toString(),
        "-outfile", signed.toString(), "-rfc", "-validity", "2", "-ext", "san=dns:localhost,ip:127.0.0.1",
        "-ext", "eku=serverAuth,clientAuth")));
    Certificate caCertificate = load(ca).getCertificate("key");
    Files.writeString(caCert, pem("CERTIFICATE", caCertificate.getEncoded()));
    Files.writeString(nodeChain, Files.readString(signed) + pem("CERTIFICATE", caCertificate.getEncoded()));
    writeKey(nodeKey, (PrivateKey) load(node).getKey("key", PASS.toCharArray()));
    KeyStore s = load(stranger);
    Files.writeString(strangerCert, pem("CERTIFICATE", s.getCertificate("key").getEncoded()));
    writeKey(strangerKey, (PrivateKey) s.getKey("key", PASS.toCharArray()));
  }

  private static List<String> genKeyPair(Path store, String dname, String... extra) {
    List<String> cmd = keytool("-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", dname, "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12");
    cmd.addAll(List.of(extra));
    return cmd;
  }

  private static List<String> keytool(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-J-XX:TieredStopAtLevel=1"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storepass", PASS, "-keypass", PASS, "-noprompt"));
    return cmd;
  }

  /** Runs the commands at once and waits for all; fails with a command's output when it fails. */
  private static void run(List<List<String>> commands) throws IOException, InterruptedException {
    List<Process> running = new ArrayList<>();
    for (List<String> cmd : commands) {
      running.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }
    for (int i = 0; i < running.size(); i++) {
      Process p = running.get(i);
      String output;
      try (InputStream in = p.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("keytool failed: " + commands.get(i) + ": " + output);
      }
    }
  }

  private static KeyStore load(Path store) throws IOException {
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASS.toCharArray());
      return ks;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read " + store, e);
    }
  }

  private static void writeKey(Path file, PrivateKey key) throws IOException {
    Files.writeString(file, pem("PRIVATE KEY", key.getEncoded())); // getEncoded() is PKCS#8
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static void delete(Path dir) {
    try (var files = Files.list(dir)) {
      files.forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: the OS cleans up what is left
    }
    dir.toFile().delete();
  }
}
