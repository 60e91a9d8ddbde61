package io.sluice.cli.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells the command that started this process in the background ({@code --daemon}) that the role is up: creates
 * the file named by {@code -Dsluice.daemon.ready}. A no-op in the foreground.
 */
public final class ReadySignal {
  private ReadySignal() {}

  /** Call once the role serves (its ports are bound, the mount is listed). */
  public static void signal() {
    String f = System.getProperty(ProcessLauncher.READY_PROPERTY);
    if (f == null || f.isEmpty()) {
      return;
    }
    try {
      Files.writeString(Path.of(f), ProcessHandle.current().pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot signal readiness at " + f, e);
    }
  }
}
