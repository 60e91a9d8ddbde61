package io.sluice.cli.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A role's pid file: the pid of the background JVM that runs it. The pid counts only while it names a live Sluice
 * JVM; a file naming anything else is stale (the process died and the pid may have been reused).
 */
public final class PidFile {
  private static final String MAIN_CLASS = "io.sluice.cli.SluiceMain";

  private final Path path;

  public PidFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The pid written in the file, if the file exists and holds a number. */
  public OptionalLong pid() {
    try {
      return Files.isRegularFile(path)
          ? OptionalLong.of(Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).trim()))
          : OptionalLong.empty();
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The live process the file names, if it still runs Sluice. */
  public Optional<ProcessHandle> running() {
    OptionalLong pid = pid();
    return pid.isEmpty() ? Optional.empty()
        : ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive).filter(PidFile::isSluice);
  }

  /** Whether the file exists but names no live Sluice process. */
  public boolean isStale() {
    return Files.exists(path) && running().isEmpty();
  }

  public void write(long pid) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    Files.writeString(path, pid + "\n", StandardCharsets.US_ASCII);
  }

  public void remove() throws IOException {
    Files.deleteIfExists(path);
  }

  /**
   * Stops {@code p}: SIGTERM (the role's shutdown hook closes it cleanly), then SIGKILL when it has not exited
   * within {@code grace}.
   *
   * @return whether it needed SIGKILL
   */
  public static boolean stop(ProcessHandle p, Duration grace) {
    p.destroy();
    // --grace never: wait for as long as it takes.
    long graceMillis = grace.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE : grace.toMillis();
    try {
      p.onExit().get(graceMillis, TimeUnit.MILLISECONDS);
      return false;
    } catch (Exception e) {
      p.destroyForcibly();
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Reported by the caller's next status check; SIGKILL cannot be refused.
      }
      return true;
    }
  }

  /**
   * Whether {@code p} runs the Sluice CLI. Reads {@code /proc/PID/cmdline} where there is one: the JDK's
   * {@code ProcessHandle.Info.commandLine()} is cut short for a long class path (a test's), losing the main class.
   */
  private static boolean isSluice(ProcessHandle p) {
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return new String(Files.readAllBytes(cmdline), StandardCharsets.ISO_8859_1).contains(MAIN_CLASS);
      }
    } catch (IOException e) {
      // Gone meanwhile, or not ours to read: ask the JDK.
    }
    return p.info().commandLine().map(c -> c.contains(MAIN_CLASS)).orElse(true);
  }
}
