package io.sluice.cli.fs;

/** How the CLI reads a path a user typed: {@code /a//b/} means {@code /a/b}, as in a shell. */
public final class FsPaths {
  private FsPaths() {}

  /** Collapses repeated slashes and drops a trailing one (except for the root). */
  public static String clean(String typed) {
    String p = typed.replaceAll("/{2,}", "/");
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
