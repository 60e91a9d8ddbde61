package io.sluice.common.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proofs' inputs and where a secret comes from. */
class SharedSecretTest {
  private static final String SECRET = "correct horse battery staple";

  @TempDir
  Path dir;

  @Test
  void proofsDifferByRoleUserClientAndNonce() {
    SharedSecret s = SharedSecret.of(SECRET);
    byte[] a = SharedSecret.newNonce();
    byte[] b = SharedSecret.newNonce();
    byte[] base = s.serverProof(a, b, "alice", "c");
    assertArrayEquals(base, SharedSecret.of(SECRET).serverProof(a, b, "alice", "c"));
    assertTrue(SharedSecret.matches(base, s.serverProof(a, b, "alice", "c")));
    assertFalse(Arrays.equals(base, s.clientProof(a, b, "alice", "c")), "a server proof is no client proof");
    assertFalse(Arrays.equals(base, s.serverProof(a, b, "alicec", "")), "fields are length-prefixed");
    assertFalse(Arrays.equals(base, s.serverProof(a, b, "bob", "c")));
    assertFalse(Arrays.equals(base, s.serverProof(a, b, "alice", "d")));
    assertFalse(Arrays.equals(base, s.serverProof(b, a, "alice", "c")));
    assertFalse(Arrays.equals(base, SharedSecret.of(SECRET + "!").serverProof(a, b, "alice", "c")));
    assertFalse(Arrays.equals(a, b));
    assertEquals(SharedSecret.NONCE_BYTES, a.length);
    assertFalse(s.toString().contains(SECRET));
  }

  @Test
  void noSecretConfiguredMeansNone() {
    assertTrue(SharedSecret.from(SluiceConf.defaults()).isEmpty());
  }

  @Test
  void theFileIsReadTrimmedWhenOnlyItsOwnerMayReadIt() throws Exception {
    Path f = secretFile("rw-------", "  " + SECRET + "\n");
    SharedSecret fromFile = SharedSecret.from(conf(f)).orElseThrow();
    SharedSecret fromValue = SharedSecret.from(SluiceConf.defaults().with(CommonKeys.SECURITY_SECRET, SECRET))
        .orElseThrow();
    byte[] n = SharedSecret.newNonce();
    assertArrayEquals(fromValue.clientProof(n, n, "u", "c"), fromFile.clientProof(n, n, "u", "c"));
  }

  @Test
  void aFileOthersCanReadIsRefusedLikeSsh() throws Exception {
    for (String mode : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-"}) {
      Path f = secretFile(mode, SECRET);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedSecret.from(conf(f)));
      assertTrue(e.getMessage().contains("chmod 600 " + f) && e.getMessage().contains(mode), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET));
    }
  }

  @Test
  void badSetupsFailClearlyWithoutShowingTheSecret() throws Exception {
    Path f = secretFile("rw-------", SECRET);
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> SharedSecret.from(
        conf(f).with(CommonKeys.SECURITY_SECRET, SECRET)));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
    assertFalse(both.getMessage().contains(SECRET));
    Path empty = secretFile("rw-------", " \n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SharedSecret.from(conf(empty))).getMessage()
        .contains("is empty"));
    Path missing = dir.resolve("missing");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SharedSecret.from(conf(missing))).getMessage()
        .contains("cannot read " + missing));
  }

  private Path secretFile(String mode, String text) throws Exception {
    Path f = Files.createTempFile(dir, "secret", "");
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  private static SluiceConf conf(Path file) {
    return SluiceConf.defaults().with(CommonKeys.SECURITY_SECRET_FILE, file.toString());
  }
}
