package io.sluice.hadoop.shaded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A class loader shaped like a Hadoop or Spark application's: the shaded Sluice jar, the application's Netty 4.1,
 * Hadoop's client jars and slf4j-api (the jars failsafe's build copied to {@code sluice.it.lib}), plus the single
 * class file of {@link HadoopAppProbe}. Its parent is the platform loader, so nothing of this JVM's class path (the
 * unshaded Sluice modules and Netty 4.2 the test cluster runs on) is visible in it.
 */
final class ShadedClasspath implements AutoCloseable {
  private final Path probeDir;
  private final URLClassLoader loader;

  private ShadedClasspath(Path probeDir, URLClassLoader loader) {
    this.probeDir = probeDir;
    this.loader = loader;
  }

  /** The shaded jar and lib jars named by failsafe's system properties. */
  static ShadedClasspath fromBuild() throws IOException {
    Path probeDir = Files.createTempDirectory("sluice-shaded-probe");
    try {
      List<URL> urls = new ArrayList<>();
      urls.add(url(shadedJar()));
      urls.addAll(libJars().stream().map(ShadedClasspath::url).toList());
      urls.add(url(copyProbeClass(probeDir)));
      URLClassLoader loader = new URLClassLoader("hadoop-app", urls.toArray(URL[]::new),
          ClassLoader.getPlatformClassLoader());
      return new ShadedClasspath(probeDir, loader);
    } catch (IOException | RuntimeException e) {
      deleteTree(probeDir);
      throw e;
    }
  }

  /** target/sluice-hadoop-client-VERSION.jar, as packaged by the shade plugin. */
  static Path shadedJar() {
    return Path.of(System.getProperty("sluice.it.shadedJar"));
  }

  /** Every jar in the lib directory the build filled, sorted by name. */
  static List<Path> libJars() throws IOException {
    try (Stream<Path> jars = Files.list(Path.of(System.getProperty("sluice.it.lib")))) {
      return jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
  }

  ClassLoader loader() {
    return loader;
  }

  /**
   * Runs {@link HadoopAppProbe} in the loader with it as the context class loader, as Hadoop's own code expects
   * (its {@code ServiceLoader} lookups and {@code Configuration} use it).
   */
  @SuppressWarnings("unchecked")
  Map<String, String> runProbe(Map<String, String> in) throws ReflectiveOperationException {
    Class<?> probe = Class.forName(HadoopAppProbe.class.getName(), true, loader);
    if (probe.getClassLoader() != loader) {
      throw new IllegalStateException("the probe leaked in from " + probe.getClassLoader());
    }
    Function<Map<String, String>, Map<String, String>> app =
        (Function<Map<String, String>, Map<String, String>>) probe.getConstructor().newInstance();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return app.apply(Map.copyOf(in));
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      loader.close();
    } finally {
      deleteTree(probeDir);
    }
  }

  private static Path copyProbeClass(Path dir) throws IOException {
    String resource = HadoopAppProbe.class.getName().replace('.', '/') + ".class";
    Path target = dir.resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = HadoopAppProbe.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no " + resource + " on the test class path");
      }
      Files.copy(in, target);
    }
    return dir;
  }

  private static URL url(Path p) {
    try {
      return p.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
