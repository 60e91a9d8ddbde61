package io.sluice.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short-circuit token file: who may read it, what a client accepts as one, and what a proof proves. */
class ShortCircuitTokenTest {
  @TempDir
  Path dir;

  @Test
  void aClientReadingTheFileProvesWhatTheWorkerChecks() throws Exception {
    ShortCircuitToken worker = ShortCircuitToken.generate();
    Path file = dir.resolve("sc/token");
    worker.write(file, "");
    ShortCircuitToken client = ShortCircuitToken.read(file);
    byte[] nonce = ShortCircuitToken.newNonce();
    assertTrue(worker.verify(nonce, client.prove(nonce)));
    assertFalse(worker.verify(ShortCircuitToken.newNonce(), client.prove(nonce)), "a proof answers its nonce only");
    assertFalse(worker.verify(nonce, ShortCircuitToken.generate().prove(nonce)), "another token proves nothing");
    String hex = Files.readString(file).trim().split(" ")[1];
    assertFalse(worker.toString().contains(hex), "never shown");
  }

  @Test
  void theFileIsOwnerOnlyAndReplacedWhole() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "an older token, world-readable");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ShortCircuitToken.generate().write(file, "");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    ShortCircuitToken.read(file);
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left");
    }
  }

  @Test
  void aGroupTokenIsReadableByThatGroup() throws Exception {
    Path file = dir.resolve("token");
    ShortCircuitToken.generate().write(file, "daemon"); // a group the test's user is not in
    PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class);
    assertEquals("rw-r-----", PosixFilePermissions.toString(attrs.permissions()));
    assertEquals("daemon", attrs.group().getName());
    assertThrows(IOException.class, () -> ShortCircuitToken.generate().write(dir.resolve("t2"), "no-such-group-x"));
  }

  @Test
  void onlyATokenFileIsAccepted() throws Exception {
    Path token = dir.resolve("token");
    ShortCircuitToken.generate().write(token, "");
    String text = Files.readString(token, StandardCharsets.US_ASCII);

    byte[] raw = new byte[32];
    new Random(1).nextBytes(raw);
    assertNotAToken(Files.write(dir.resolve("raw"), raw));
    assertNotAToken(Files.writeString(dir.resolve("short"), text.substring(0, text.length() - 3) + "\n"));
    assertNotAToken(Files.writeString(dir.resolve("long"), text + "x"));
    assertNotAToken(Files.writeString(dir.resolve("label"), text.replace("token-1", "token-2")));
    assertNotAToken(Files.writeString(dir.resolve("hex"), text.substring(0, text.length() - 2) + "g\n"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), token);
    assertThrows(IOException.class, () -> ShortCircuitToken.read(link), "a link is not followed");
    assertThrows(IOException.class, () -> ShortCircuitToken.read(dir.resolve("missing")));
  }

  private static void assertNotAToken(Path file) {
    IOException e = assertThrows(IOException.class, () -> ShortCircuitToken.read(file));
    assertTrue(e.getMessage().contains("not a short-circuit token"), e.getMessage());
  }
}
