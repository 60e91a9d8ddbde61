package io.sluice.cli.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.sluice.cli.CliCluster;
import io.sluice.cli.CliCluster.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice conf get KEY}: the effective value and which source set it (no cluster needed). */
class ConfGetCommandTest {
  @TempDir
  Path home;

  @Test
  void anUnsetKeyShowsItsDefault() {
    assumeTrue(System.getenv("SLUICE_FUSE_ATTR_TIMEOUT") == null, "the environment sets the key");
    Result r = CliCluster.runRaw("conf", "get", "sluice.fuse.attr.timeout");
    assertEquals(0, r.exit(), r.toString());
    assertEquals("sluice.fuse.attr.timeout = 1s (default)\n", r.out());
  }

  @Test
  void eachSourceIsNamedAndTheLaterWins() throws Exception {
    assumeTrue(System.getenv("SLUICE_CONF_DIR") == null, "the environment names a configuration directory");
    String old = System.getProperty("sluice.home");
    Path file = Files.createDirectories(home.resolve("conf")).resolve("sluice.properties");
    Files.writeString(file, "sluice.rpc.call.timeout=7s\nsluice.worker.http.port=9999\n");
    System.setProperty("sluice.home", home.toString());
    System.setProperty("sluice.worker.http.port", "8888");
    try {
      assertEquals("sluice.rpc.call.timeout = 7s (" + file + ")\n",
          CliCluster.runRaw("conf", "get", "sluice.rpc.call.timeout").out());
      assertEquals("sluice.worker.http.port = 8888 (-Dsluice.worker.http.port)\n",
          CliCluster.runRaw("conf", "get", "sluice.worker.http.port").out());
      assertEquals("sluice.worker.http.port = 7777 (override)\n", CliCluster.runRaw("conf", "get",
          "sluice.worker.http.port", "--conf", "sluice.worker.http.port=7777").out());
    } finally {
      System.clearProperty("sluice.worker.http.port");
      if (old == null) {
        System.clearProperty("sluice.home");
      } else {
        System.setProperty("sluice.home", old);
      }
    }
  }

  @Test
  void jsonParsesBack() throws Exception {
    Result r = CliCluster.runRaw("conf", "get", "sluice.user.block.size", "--conf", "sluice.user.block.size=8m",
        "--output", "json");
    assertEquals(0, r.exit(), r.toString());
    Struct.Builder s = Struct.newBuilder();
    JsonFormat.parser().merge(r.out(), s);
    assertEquals("sluice.user.block.size", s.getFieldsOrThrow("key").getStringValue());
    assertEquals("8m", s.getFieldsOrThrow("value").getStringValue());
    assertEquals("override", s.getFieldsOrThrow("source").getStringValue());
    assertEquals("64m", s.getFieldsOrThrow("default").getStringValue());
  }

  @Test
  void anUnknownKeyFailsAndATypoSetSaysSo() {
    Result r = CliCluster.runRaw("conf", "get", "sluice.no.such.key");
    assertEquals(1, r.exit(), r.toString());
    assertEquals("sluice: sluice.no.such.key: no such configuration key\n", r.err());
    r = CliCluster.runRaw("conf", "get", "sluice.master.adresses", "--conf", "sluice.master.adresses=h:1");
    assertEquals(1, r.exit(), r.toString());
    assertEquals("sluice: sluice.master.adresses: no such configuration key (it is set, but nothing reads it: "
        + "a typo?)\n", r.err());
  }

  @Test
  void usageErrorsExit2() {
    assertEquals(2, CliCluster.runRaw("conf", "get").exit());
    assertEquals(2, CliCluster.runRaw("conf", "get", "a", "b").exit());
    assertEquals(2, CliCluster.runRaw("conf").exit());
  }
}
