package io.sluice.cli.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.SluiceMain;
import io.sluice.client.Mount;
import io.sluice.client.MountOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Masking, the mounts table, and usage errors of the mount commands (no cluster needed for any of these). */
class MountCommandsTest {
  @Test
  void masksValuesOfKeysNamingSecrets() {
    for (String k : new String[] {"s3.secret.key", "s3.access.key", "fs.azure.account.key", "PASSWORD",
        "hadoop.security.credential.provider.path", "session.token", "my-Secret"}) {
      assertTrue(SecretMask.isSecret(k), k);
      assertEquals("****", SecretMask.value(k, "hunter2"), k);
    }
    for (String k : new String[] {"s3.endpoint", "s3.region", "s3.path.style", "dfs.replication"}) {
      assertFalse(SecretMask.isSecret(k), k);
      assertEquals("v", SecretMask.value(k, "v"), k);
    }
  }

  @Test
  void tableShowsEveryColumnAndNoSecret() {
    Mount s3 = new Mount(1, "/data", URI.create("s3://bucket/prefix"),
        Map.of("s3.endpoint", "http://127.0.0.1:9000", "s3.secret.key", "hunter2", "s3.access.key", "AKIA123"),
        true, Duration.ofSeconds(30), 2);
    Mount local = new Mount(2, "/local", URI.create("file:///srv/x"), Map.of(), false, MountOptions.NEVER, 1);
    StringWriter text = new StringWriter();
    MountTable.print(List.of(s3, local), new PrintWriter(text, true));
    String[] lines = text.toString().split("\n");
    assertEquals(3, lines.length, text.toString());
    assertTrue(lines[0].startsWith("PATH") && lines[0].contains("UFS URI") && lines[0].contains("OPTIONS"));
    assertTrue(lines[1].matches("/data\\s+s3://bucket/prefix\\s+yes\\s+30s\\s+2\\s+"
        + "s3.access.key=\\*\\*\\*\\*,s3.endpoint=http://127.0.0.1:9000,s3.secret.key=\\*\\*\\*\\*"), lines[1]);
    assertTrue(lines[2].matches("/local\\s+file:///srv/x\\s+no\\s+never\\s+1\\s+-"), lines[2]);
    assertFalse(text.toString().contains("hunter2") || text.toString().contains("AKIA123"), text.toString());
    // Columns line up: the URI column starts at the same place on every line.
    assertEquals(lines[0].indexOf("UFS URI"), lines[1].indexOf("s3://"));
    assertEquals(lines[0].indexOf("UFS URI"), lines[2].indexOf("file:"));
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertEquals(2, run("mount", "/data"));
    assertEquals(2, run("mount", "/data", "s3://b", "--sync-interval", "5x"));
    assertEquals(2, run("mount", "/data", "s3://b", "--sync-interval", "-5s"));
    assertEquals(2, run("mount", "/data", "s3://b", "--replicas", "-1"));
    assertEquals(2, run("mount", "/data", "s3://b", "--option", "novalue"));
    assertEquals(2, run("umount"));
    assertEquals(2, run("mounts", "extra"));
  }

  private static int run(String... args) {
    CommandLine cl = SluiceMain.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
