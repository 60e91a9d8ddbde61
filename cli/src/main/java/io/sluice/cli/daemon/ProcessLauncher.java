package io.sluice.cli.daemon;

import io.sluice.common.conf.KeyRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Starts a Sluice role ({@code master}, {@code worker}, {@code fuse mount DIR}) as a detached background JVM
 * with the same classpath as this one, in its own session (so the terminal's Ctrl-C does not reach it).
 *
 * <p>The role logs through logback to {@code LOG} ({@code -Dsluice.log.file}, rolled by size as
 * {@code conf/logback.xml} says); what bypasses logback (JVM errors, a crash before logging starts, printed lines)
 * goes to the sibling {@link #outFile(Path) LOG.out}. Two files because a rolled log cannot take a redirected
 * stream: the process would keep writing to the renamed file.
 */
public final class ProcessLauncher {
  /** The system property naming the file the role creates once it is up (see {@link ReadySignal}). */
  static final String READY_PROPERTY = "sluice.daemon.ready";
  /** Netty's direct buffers are bounded by this, not by the heap (its default), so a flood fails calls, not hosts. */
  static final String DIRECT_MEMORY_CAP = "-XX:MaxDirectMemorySize=1g";

  private ProcessLauncher() {}

  /**
   * Starts {@code sluice ARGS... --conf k=v...} logging to {@code log}; sensitive keys (the shared secret) go in
   * the child's environment as {@code SLUICE_...} instead.
   */
  public static Process launch(List<String> args, Map<String, String> conf, Path log) throws IOException {
    return launch(args, conf, log, null);
  }

  /**
   * As {@link #launch(List, Map, Path)}; when {@code ready} is not null the role creates that file once it
   * serves.
   */
  static Process launch(List<String> args, Map<String, String> conf, Path log, Path ready) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // As bin/sluice: direct memory capped, before SLUICE_JAVA_OPTS so that it may set another cap.
    cmd.add(DIRECT_MEMORY_CAP);
    // As bin/sluice: names are UTF-8 whatever the locale (a FUSE role refuses to mount otherwise, FuseSupport).
    cmd.add("-Dfile.encoding=UTF-8");
    String extra = System.getenv("SLUICE_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    passProperty(cmd, "sluice.home");
    passProperty(cmd, "logback.configurationFile");
    cmd.add("-Dsluice.log.level=INFO");
    cmd.add("-Dsluice.log.file=" + log.toAbsolutePath());
    if (ready != null) {
      cmd.add("-D" + READY_PROPERTY + "=" + ready.toAbsolutePath());
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.sluice.cli.SluiceMain");
    cmd.addAll(args);
    Map<String, String> secrets = new LinkedHashMap<>();
    conf.forEach((k, v) -> {
      if (KeyRegistry.isSensitive(k)) {
        // Not on the command line, which every user of the host can read (ps); the environment is the owner's.
        secrets.put(k.toUpperCase(Locale.ROOT).replace('.', '_'), v);
      } else {
        cmd.add("--conf");
        cmd.add(k + "=" + v);
      }
    });
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(outFile(log).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(secrets);
    if (!"UTF-8".equals(System.getProperty("sun.jnu.encoding"))) {
      // File names (the local UFS, the worker's directories) follow the locale alone, as bin/sluice explains.
      pb.environment().put("LC_ALL", "C.UTF-8");
    }
    return pb.start();
  }

  /** Where a role logging to {@code log} sends its standard output and error. */
  public static Path outFile(Path log) {
    String name = log.getFileName().toString();
    String base = name.endsWith(".log") ? name.substring(0, name.length() - 4) : name;
    return log.resolveSibling(base + ".out");
  }

  /** The last {@code lines} lines of the role's log and of its {@code .out} file, for a failure message. */
  public static String tail(Path log, int lines) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Path f : List.of(log, outFile(log))) {
      if (Files.isRegularFile(f) && Files.size(f) > 0) {
        List<String> all = Files.readAllLines(f);
        sb.append(sb.length() == 0 ? "" : "\n").append("--- ").append(f).append('\n')
            .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())));
      }
    }
    return sb.toString();
  }

  private static void passProperty(List<String> cmd, String name) {
    String v = System.getProperty(name);
    if (v != null) {
      cmd.add("-D" + name + "=" + v);
    }
  }
}
