package io.sluice.cli;

import java.io.PrintWriter;

/**
 * Where commands print results: the process's standard output as it is when the command runs (so a caller that
 * redirects {@code System.out}, like an embedding program or a test, gets the output).
 */
public final class Stdout {
  private Stdout() {}

  /** A writer on the current {@code System.out}; flush it before returning. */
  public static PrintWriter writer() {
    return new PrintWriter(System.out, true);
  }
}
