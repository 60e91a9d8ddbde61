package io.sluice.fuse;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Whether this host can mount with FUSE: the {@code /dev/fuse} device, libfuse2 and {@code fusermount}. */
public final class FuseSupport {
  /** Where distributions put libfuse2, for hosts without a usable {@code ldconfig}. */
  private static final List<String> LIB_DIRS = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
      "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
      "/usr/local/lib");

  private FuseSupport() {}

  /** What is missing, as a sentence naming the prerequisite and its Debian/Ubuntu package; empty when nothing. */
  public static Optional<String> missing() {
    if (!Files.exists(Path.of("/dev/fuse"))) {
      return Optional.of("/dev/fuse is missing (load the fuse kernel module, or run the container with "
          + "--device /dev/fuse --cap-add SYS_ADMIN)");
    }
    if (!hasLibfuse2()) {
      return Optional.of("libfuse2 (libfuse.so.2) is not installed (apt-get install libfuse2)");
    }
    if (findFusermount().isEmpty()) {
      return Optional.of("fusermount is not installed (apt-get install fuse)");
    }
    return Optional.empty();
  }

  /**
   * jnr decodes the paths libfuse passes with the JVM's default charset, which Java 17 takes from the locale: under
   * {@code LANG=C} it is ASCII, every other byte becomes U+FFFD, and names that differ only there would be one file.
   * Checked by the JVM that mounts ({@link FuseMount#mount}), which need not be the one that checks {@link #missing}.
   */
  static Optional<String> charsetProblem(Charset charset) {
    if (StandardCharsets.UTF_8.equals(charset)) {
      return Optional.empty();
    }
    return Optional.of("the JVM's default charset is " + charset + ", so file names other than ASCII would be mangled "
        + "(run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8, or with -Dfile.encoding=UTF-8)");
  }

  static boolean hasLibfuse2() {
    for (String d : LIB_DIRS) {
      if (Files.exists(Path.of(d, "libfuse.so.2"))) {
        return true;
      }
    }
    return ldconfigLists("libfuse.so.2");
  }

  /** The {@code fusermount} binary (libfuse2's; {@code fusermount3} also unmounts libfuse2 mounts). */
  static Optional<Path> findFusermount() {
    for (String name : List.of("fusermount", "fusermount3")) {
      for (String dir : List.of("/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean ldconfigLists(String lib) {
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
      if (!Files.isExecutable(Path.of(ldconfig))) {
        continue;
      }
      try {
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.contains(lib);
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
