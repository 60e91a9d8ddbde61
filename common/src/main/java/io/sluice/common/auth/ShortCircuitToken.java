package io.sluice.common.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token by which a client proves to a worker that it may read short-circuit (the exchange is drawn in
 * {@code worker.proto}, above {@code ShortCircuitChallengeRequest}): {@value #TOKEN_BYTES} random bytes, new at each
 * worker start, in a file on the worker's host that only the worker's OS user may read (mode 0600), or also one group
 * (0640). A client that answers the worker's nonce with {@link #prove} therefore runs on that host as a user who
 * may read the worker's files; the token itself never crosses the connection.
 *
 * <p>The file is one line, {@code sluice-short-circuit-token-1 <64 hex digits>}. The label is checked before any MAC
 * is computed, so a worker that names some other file gets no MAC keyed by that file's bytes. Immutable and
 * thread-safe; {@link #toString()} never shows the token.
 */
public final class ShortCircuitToken {
  /** Length of the token. */
  public static final int TOKEN_BYTES = 32;
  /** Length of a worker's challenge. */
  public static final int NONCE_BYTES = 32;
  private static final String HMAC = "HmacSHA256";
  private static final String LABEL = "sluice-short-circuit-token-1 ";
  /** What a proof covers besides the nonce: a MAC for this exchange is no MAC for any other use of HMAC. */
  private static final byte[] PROOF_LABEL = "sluice-short-circuit-proof-1".getBytes(StandardCharsets.US_ASCII);
  private static final int FILE_BYTES = LABEL.length() + 2 * TOKEN_BYTES + 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private ShortCircuitToken(byte[] token) {
    this.key = new SecretKeySpec(token, HMAC);
  }

  /** A new random token. */
  public static ShortCircuitToken generate() {
    byte[] token = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(token);
    return new ShortCircuitToken(token);
  }

  /** A fresh random challenge. */
  public static byte[] newNonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  /**
   * Reads the token a worker wrote to {@code file}, as its client does.
   *
   * @throws IOException when the file cannot be read (e.g. {@link java.nio.file.AccessDeniedException}: this
   *     process runs as a user the file does not admit) or is no token file
   */
  public static ShortCircuitToken read(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(FILE_BYTES + 1);
    // Not following a link: the worker writes a regular file, whatever path it names.
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // until the file ends or is longer than a token file
      }
    }
    String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
    if (buf.position() != FILE_BYTES || !text.startsWith(LABEL) || !text.endsWith("\n")) {
      throw new IOException(file + " is not a short-circuit token file");
    }
    try {
      return new ShortCircuitToken(HexFormat.of().parseHex(text, LABEL.length(), FILE_BYTES - 1));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a short-circuit token file: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the token to {@code file}, replacing any older one atomically: a reader sees the old file or the new one,
   * whole. The file is created with mode 0600 (no moment with wider access), owned by this process's user; with a
   * {@code group}, it is given to that group and made 0640 before it appears under its name.
   *
   * @param group a group name, or empty for owner only
   * @throws IOException when the file cannot be written, or the group is unknown or not this user's to give
   */
  public void write(Path file, String group) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      byte[] token = key.getEncoded();
      Files.write(tmp, (LABEL + HexFormat.of().formatHex(token) + "\n").getBytes(StandardCharsets.US_ASCII));
      if (!group.isEmpty()) {
        GroupPrincipal g;
        try {
          g = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
          throw new IOException("no group " + group + " on this host", e);
        }
        Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setGroup(g);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r-----"));
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The client's answer to a worker's {@code nonce}. */
  public byte[] prove(byte[] nonce) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      mac.update(PROOF_LABEL);
      return mac.doFinal(nonce);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(HMAC + " is part of every Java runtime", e);
    }
  }

  /** Whether {@code proof} answers {@code nonce}, compared in time independent of where they differ. */
  public boolean verify(byte[] nonce, byte[] proof) {
    return MessageDigest.isEqual(prove(nonce), proof);
  }

  @Override
  public String toString() {
    return "ShortCircuitToken(<redacted>)";
  }
}
