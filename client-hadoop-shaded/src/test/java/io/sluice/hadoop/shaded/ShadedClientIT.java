package io.sluice.hadoop.shaded;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shaded jar as a Hadoop application meets it: in one class loader with the application's Netty 4.1, Hadoop's
 * client jars and slf4j-api, against a real master and worker. Runs after {@code package} (failsafe), on the jar
 * the shade plugin wrote.
 */
class ShadedClientIT {
  /** Prefixes of third-party code that must only appear relocated under io/sluice/shaded/. */
  private static final List<String> FOREIGN = List.of("io/netty/", "com/google/protobuf/", "io/micrometer/",
      "io/prometheus/", "org/HdrHistogram/", "org/slf4j/", "ch/qos/logback/", "META-INF/native/libnetty_");

  private static LoopbackCluster cluster;
  private static ShadedClasspath classpath;

  @BeforeAll
  static void start() throws Exception {
    cluster = LoopbackCluster.start();
    classpath = ShadedClasspath.fromBuild();
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (classpath != null) {
        classpath.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void jarHoldsOnlyRelocatedThirdPartyCode() throws IOException {
    try (JarFile jar = new JarFile(ShadedClasspath.shadedJar().toFile())) {
      List<String> names = jar.stream().map(JarEntry::getName).toList();
      List<String> foreign = names.stream().filter(n -> FOREIGN.stream().anyMatch(n::startsWith)).toList();
      List<String> outside = names.stream().filter(n -> n.endsWith(".class") && !n.startsWith("io/sluice/")).toList();
      assertAll(
          () -> assertEquals(List.of(), foreign, "unrelocated third-party entries"),
          () -> assertEquals(List.of(), outside, "classes outside io/sluice/"),
          () -> assertTrue(names.contains("META-INF/native/libio_sluice_shaded_netty_transport_native_epoll_x86_64.so"),
              "the epoll library renamed for the relocated loader"),
          () -> assertEquals("io.sluice.hadoop.SluiceFileSystem",
              read(jar, "META-INF/services/org.apache.hadoop.fs.FileSystem").strip()));
    }
  }

  @Test
  void loaderSeesNoUnshadedNetty42() {
    // IoHandlerFactory is new in Netty 4.2: only the application's 4.1 may answer for io.netty here.
    assertThrows(ClassNotFoundException.class, () -> classpath.loader().loadClass("io.netty.channel.IoHandlerFactory"));
  }

  @ParameterizedTest(name = "sluice.rpc.epoll.enabled={0}")
  @ValueSource(booleans = {true, false})
  void hadoopApiAndApplicationNettyWorkSideBySide(boolean epoll) throws Exception {
    Map<String, String> out = classpath.runProbe(Map.of(
        "uri", "sluice://" + cluster.masterAddress() + "/",
        "masters", cluster.masterAddress(),
        "dir", "/shaded-it/epoll-" + epoll,
        "epoll", Boolean.toString(epoll)));

    String expectedTransport = epoll && nativeEpollBundled() ? "EPOLL" : "NIO";
    assertAll(
        () -> assertEquals("io.sluice.hadoop.SluiceFileSystem", out.get("fs.class")),
        () -> assertEquals("true", out.get("fs.sameLoader"), "SluiceFileSystem came from the shaded jar"),
        () -> assertEquals("true", out.get("read.matches")),
        () -> assertEquals("true", out.get("read.eof")),
        () -> assertEquals("true", out.get("pread.matches")),
        () -> assertEquals("true", out.get("pread.bytebuffer.matches")),
        () -> assertEquals("data.bin:" + (3 * 1024 * 1024 + 123), out.get("listing")),
        () -> assertEquals("netty of the application", out.get("netty.buffer")),
        () -> assertTrue(out.get("netty.buffer.source").contains("netty-buffer-4.1."), out.get("netty.buffer.source")),
        () -> assertOnlyNetty41(out.get("netty.versions")),
        () -> assertEquals(Boolean.toString(nativeEpollBundled()), out.get("epoll.available"), out.get("epoll.cause")),
        () -> assertEquals(expectedTransport, out.get("transport")));
  }

  /** Version.identify() of the application's Netty lists its own artifacts, all 4.1, none of the shaded jar's. */
  private static void assertOnlyNetty41(String versions) {
    assertTrue(versions.contains("netty-buffer=4.1."), versions);
    for (String artifact : versions.split(",")) {
      assertTrue(artifact.contains("=4.1."), versions);
    }
  }

  /** The shaded jar carries epoll for Linux on x86_64 only (common's runtime dependency). */
  private static boolean nativeEpollBundled() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")
        && ("amd64".equals(arch) || "x86_64".equals(arch));
  }

  private static String read(JarFile jar, String name) throws IOException {
    JarEntry entry = jar.getJarEntry(name);
    if (entry == null) {
      return "<missing " + name + ">";
    }
    try (InputStream in = jar.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
