package io.sluice.common.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceConfTest {
  static final ConfigKey<Long> SIZE = ConfigKey.bytes("sluice.test.size", "64m", "a size");
  static final ConfigKey<Duration> TIME = ConfigKey.duration("sluice.test.time", "10s", "a duration");
  static final ConfigKey<Integer> NUM = ConfigKey.integer("sluice.test.num", 3, "a number");
  static final ConfigKey<Boolean> FLAG = ConfigKey.bool("sluice.test.flag", false, "a flag");

  @Test
  void defaultsAreParsed() {
    SluiceConf c = SluiceConf.defaults();
    assertEquals(64L << 20, c.get(SIZE));
    assertEquals(Duration.ofSeconds(10), c.get(TIME));
    assertEquals(3, c.get(NUM));
    assertEquals(false, c.get(FLAG));
    assertEquals("default", c.source(SIZE));
  }

  @Test
  void laterSourcesWin(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sluice.properties");
    Files.writeString(file, "sluice.test.size=1g\nsluice.test.time=500ms\nsluice.test.num=7\n");
    Properties sys = new Properties();
    sys.setProperty("sluice.test.num", "9");
    SluiceConf c = SluiceConf.load(file, Map.of("SLUICE_TEST_TIME", "2m", "SLUICE_HOME", "/opt"), sys);
    assertEquals(1L << 30, c.get(SIZE));
    assertEquals(file.toString(), c.source(SIZE));
    assertEquals(Duration.ofMinutes(2), c.get(TIME));
    assertEquals("env SLUICE_TEST_TIME", c.source(TIME));
    assertEquals(9, c.get(NUM));
    assertEquals(11, c.with("sluice.test.num", "11").get(NUM));
    assertTrue(!c.explicitValues().containsKey("sluice.home"), "launcher variables are not keys");
  }

  @Test
  void aMissingFileIsJustDefaults(@TempDir Path dir) throws Exception {
    SluiceConf c = SluiceConf.load(dir.resolve("absent"), Map.of(), new Properties());
    assertEquals(3, c.get(NUM));
  }

  @Test
  void badValuesNameTheKeyAndSource() {
    SluiceConf c = SluiceConf.defaults().with("sluice.test.size", "12q");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.get(SIZE));
    assertTrue(e.getMessage().contains("sluice.test.size"), e.getMessage());
    assertTrue(e.getMessage().contains("override"), e.getMessage());
  }

  @Test
  void sizesAndDurations() {
    assertEquals(512L << 10, ByteSize.parse("512k"));
    assertEquals(4L << 30, ByteSize.parse("4G"));
    assertEquals(100, ByteSize.parse("100"));
    assertEquals(3L << 20, ByteSize.parse("3MiB"));
    assertEquals("64m", ByteSize.format(64L << 20));
    assertEquals("1000", ByteSize.format(1000));
    assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-1m"));
    assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("m"));
    assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("99999999999999t"));
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofDays(7), Durations.parse("7d"));
    assertEquals(Duration.ofMillis(250), Durations.parse("250"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 parsecs"));
  }

  @Test
  void keysMustBeSluiceNamespaced() {
    assertThrows(IllegalArgumentException.class, () -> ConfigKey.string("other.key", "", ""));
  }
}
