package io.sluice.tests;

import io.sluice.cli.daemon.PidFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real launcher {@code bin/sluice} as a separate process with a chosen environment, as an operator would,
 * and stops whatever daemons it left in its pid directory.
 */
public final class SluiceScript {
  /** The checkout: bin/, conf/, cli/target/ (bin/sluice builds the distribution when it is missing or stale). */
  public static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

  private final Map<String, String> env = new HashMap<>();
  private final Path scratch;

  /** Exit code, stdout and stderr of one run. */
  public record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /**
   * A launcher with {@code SLUICE_CONF_DIR=dir/conf} (holding a copy of the shipped {@code logback.xml}),
   * {@code SLUICE_LOG_DIR=dir/logs} and {@code SLUICE_PID_DIR=dir/run}.
   */
  public SluiceScript(Path dir) throws IOException {
    this.scratch = Files.createDirectories(dir.resolve("scratch"));
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.copy(HOME.resolve("conf/logback.xml"), conf.resolve("logback.xml"));
    env.put("SLUICE_CONF_DIR", conf.toString());
    env.put("SLUICE_LOG_DIR", dir.resolve("logs").toString());
    env.put("SLUICE_PID_DIR", dir.resolve("run").toString());
  }

  public SluiceScript env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public Path confDir() {
    return Path.of(env.get("SLUICE_CONF_DIR"));
  }

  public Path logDir() {
    return Path.of(env.get("SLUICE_LOG_DIR"));
  }

  public PidFile pidFile(String role) {
    return new PidFile(Path.of(env.get("SLUICE_PID_DIR"), role + ".pid"));
  }

  public Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(HOME.resolve("bin/sluice").toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(scratch, "out", ".txt");
    Path err = Files.createTempFile(scratch, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Kills every role still named by a pid file here: a test's cleanup, whatever state it failed in. */
  public void killAll() {
    for (String role : List.of("fuse", "worker", "master")) {
      pidFile(role).running().ifPresent(p -> PidFile.stop(p, Duration.ofSeconds(10)));
    }
  }
}
