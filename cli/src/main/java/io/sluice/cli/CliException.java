package io.sluice.cli;

/** A command failure to report as {@code sluice: PATH: reason}; the cause, when an RPC error, gives the reason. */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String path;

  public CliException(String path, Throwable cause) {
    super(cause.getMessage(), cause);
    this.path = path;
  }

  public CliException(String message) {
    super(message);
    this.path = null;
  }

  public CliException(String path, String message) {
    super(message);
    this.path = path;
  }

  /** The path the failure is about, or null. */
  public String path() {
    return path;
  }
}
