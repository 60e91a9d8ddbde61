package io.sluice.cli.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a Sluice role ({@code master}, {@code worker}, {@code fuse mount DIR}) as a detached background JVM
 * with the same classpath as this one, in its own session (so the terminal's Ctrl-C does not reach it), output
 * appended to its log file.
 */
final class ProcessLauncher {
  private ProcessLauncher() {}

  static Process launch(String role, Map<String, String> conf, Path log) throws IOException {
    return launch(List.of(role), conf, log);
  }

  /** Starts {@code sluice ARGS... --conf k=v...}. */
  static Process launch(List<String> args, Map<String, String> conf, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String extra = System.getenv("SLUICE_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    passProperty(cmd, "sluice.home");
    passProperty(cmd, "logback.configurationFile");
    cmd.add("-Dsluice.log.level=INFO");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.sluice.cli.SluiceMain");
    cmd.addAll(args);
    conf.forEach((k, v) -> {
      cmd.add("--conf");
      cmd.add(k + "=" + v);
    });
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return pb.start();
  }

  private static void passProperty(List<String> cmd, String name) {
    String v = System.getProperty(name);
    if (v != null) {
      cmd.add("-D" + name + "=" + v);
    }
  }
}
