package io.sluice.common.auth;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's shared secret and the two HMAC-SHA256 proofs of the RPC handshake (the exchange is drawn in
 * {@code rpc.proto}, message {@code Handshake}). A proof covers a label naming the side that computes it, both
 * nonces, the user and the client id, each length-prefixed so that no two different transcripts give the same MAC
 * input. Immutable and thread-safe; {@link #toString()} never shows the key.
 */
public final class SharedSecret {
  /** Length of each side's random challenge. */
  public static final int NONCE_BYTES = 32;
  private static final String HMAC = "HmacSHA256";
  private static final byte[] SERVER_LABEL = "sluice-server".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLIENT_LABEL = "sluice-client".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private SharedSecret(byte[] secret) {
    this.key = new SecretKeySpec(secret, HMAC);
  }

  /** A secret from its text (UTF-8 bytes). */
  public static SharedSecret of(String secret) {
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("the shared secret is empty");
    }
    return new SharedSecret(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The secret configured by {@link CommonKeys#SECURITY_SECRET} or {@link CommonKeys#SECURITY_SECRET_FILE}, if
   * either is set.
   *
   * @throws IllegalArgumentException when both are set, or the file is missing, unreadable, empty or open to group
   *     or others; the message never contains the secret
   */
  public static Optional<SharedSecret> from(SluiceConf conf) {
    String text = conf.get(CommonKeys.SECURITY_SECRET);
    String file = conf.get(CommonKeys.SECURITY_SECRET_FILE).trim();
    if (!text.isEmpty() && !file.isEmpty()) {
      throw new IllegalArgumentException("set " + CommonKeys.SECURITY_SECRET.name() + " or "
          + CommonKeys.SECURITY_SECRET_FILE.name() + ", not both");
    }
    if (!file.isEmpty()) {
      return Optional.of(of(SecretFile.read(Path.of(file))));
    }
    return text.isEmpty() ? Optional.empty() : Optional.of(of(text));
  }

  /** A fresh random challenge. */
  public static byte[] newNonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  /** The server's proof, answering the client's nonce with its own. */
  public byte[] serverProof(byte[] clientNonce, byte[] serverNonce, String user, String clientId) {
    return mac(SERVER_LABEL, clientNonce, serverNonce, user, clientId);
  }

  /** The client's proof, answering the server's nonce. */
  public byte[] clientProof(byte[] serverNonce, byte[] clientNonce, String user, String clientId) {
    return mac(CLIENT_LABEL, serverNonce, clientNonce, user, clientId);
  }

  /** Compares a received proof with the expected one in time independent of where they differ. */
  public static boolean matches(byte[] expected, byte[] received) {
    return MessageDigest.isEqual(expected, received);
  }

  private byte[] mac(byte[] label, byte[] first, byte[] second, String user, String clientId) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      for (byte[] field : new byte[][] {label, first, second, utf8(user), utf8(clientId)}) {
        mac.update(ByteBuffer.allocate(4).putInt(field.length).array());
        mac.update(field);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(HMAC + " is part of every Java 17 runtime", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SharedSecret[<redacted>]";
  }
}
