package io.sluice.tests.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real programs against the mount, as a user would, with a time limit so a hung mount fails the test. */
final class Shell {
  private Shell() {}

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  /** Runs {@code script} with {@code bash -c} (pipes and redirections allowed), in {@code cwd}. */
  static Result bash(Path cwd, String script) throws IOException, InterruptedException {
    return run(cwd, List.of("bash", "-c", script));
  }

  /**
   * The {@code sluice} command as a separate JVM on this test's classpath: the code under test, without
   * {@code bin/sluice}'s rebuild of a tree others may be editing. Child processes it starts (local start) inherit
   * the same classpath.
   */
  static List<String> sluiceCommand(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // As bin/sluice: a mount refuses a JVM whose charset is not UTF-8, which a host without a locale gives.
        "-Dfile.encoding=UTF-8", "-cp", System.getProperty("java.class.path"), "io.sluice.cli.SluiceMain"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Result run(Path cwd, List<String> cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("sluice-fuse-out", ".txt");
    Path err = Files.createTempFile("sluice-fuse-err", ".txt");
    try {
      Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out after 120s: " + cmd);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
