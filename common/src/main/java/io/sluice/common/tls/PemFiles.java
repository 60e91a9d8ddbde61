package io.sluice.common.tls;

import io.sluice.common.conf.ConfigKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the PEM files named by {@link TlsKeys} with the JDK alone (no BouncyCastle), and checks them as far as a
 * process can before it serves: the files exist and parse, the key is readable by its owner only, and the key
 * belongs to the certificate. Every failure is an {@link IllegalArgumentException} naming the key and the file, so
 * a misconfigured process stops at start instead of failing every handshake later.
 */
final class PemFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";
  /** Key algorithms a PKCS#8 file may hold, tried in turn (the encoding names it, but the JDK offers no parser). */
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA");

  private PemFiles() {}

  /** The certificates of a PEM file, in file order; at least one. */
  static List<X509Certificate> certificates(ConfigKey<String> key, Path file) {
    byte[] bytes = read(key, file);
    try {
      List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(bytes)).stream().map(X509Certificate.class::cast).toList();
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(key.name() + " " + file + " holds no PEM certificate");
      }
      return certs;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(key.name() + " " + file + " is not a PEM certificate file: "
          + e.getMessage(), e);
    }
  }

  /** The unencrypted PKCS#8 private key of a PEM file that only its owner may read. */
  static PrivateKey privateKey(ConfigKey<String> key, Path file) {
    requireOwnerOnly(key, file);
    String text = new String(read(key, file), StandardCharsets.US_ASCII);
    int begin = text.indexOf(PKCS8_BEGIN);
    int end = text.indexOf(PKCS8_END);
    if (begin < 0 || end < begin) {
      String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "it is encrypted; decrypt it with openssl pkcs8 -in "
          + file + " -out key.pem" : "convert it with openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem";
      throw new IllegalArgumentException(key.name() + " " + file + " holds no unencrypted PKCS#8 key ('"
          + PKCS8_BEGIN + "'): " + hint);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + PKCS8_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key.name() + " " + file + ": bad base64 in the key: " + e.getMessage(), e);
    }
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm (or not one this JVM offers): try the next
      }
    }
    throw new IllegalArgumentException(key.name() + " " + file + ": not an RSA, EC, EdDSA or DSA private key");
  }

  /**
   * Fails unless {@code key} is the private key of {@code leaf}: signs a test message with it and verifies the
   * signature with the certificate's public key (the JDK's key managers would accept a mismatched pair and every
   * handshake would then fail).
   */
  static void requireMatch(PrivateKey key, X509Certificate leaf, Path keyFile, Path certFile) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      case "DSA" -> "SHA256withDSA";
      case "RSASSA-PSS" -> null; // its parameters live in the key; the handshake will tell
      default -> null;
    };
    if (algorithm == null) {
      return;
    }
    byte[] message = "sluice key check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(message);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false; // a key of another type than the certificate's
    }
    if (!matches) {
      throw new IllegalArgumentException(TlsKeys.KEY.name() + " " + keyFile + " is not the private key of the "
          + "first certificate in " + TlsKeys.CERT.name() + " " + certFile + " ("
          + leaf.getSubjectX500Principal().getName() + ")");
    }
  }

  private static byte[] read(ConfigKey<String> key, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(key.name() + ": cannot read " + file + ": " + e, e);
    }
  }

  /** A private key that other local users can read is no longer private: refuse it, as ssh does. */
  private static void requireOwnerOnly(ConfigKey<String> key, Path file) {
    try {
      if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(perms)) {
          throw new IllegalArgumentException(key.name() + " " + file + " is accessible by group or others ("
              + PosixFilePermissions.toString(perms) + "); allow only its owner: chmod 600 " + file);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(key.name() + ": cannot read " + file + ": " + e, e);
    }
  }
}
