package io.sluice.cli;


import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import picocli.CommandLine;

/**
 * Turns a failed command into one line on stderr ({@code sluice: /a/b: No such file or directory}) and exit code
 * 1. Expected failures never print a stack trace; unexpected ones do, since they are bugs to report.
 */
final class FailurePrinter implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception thrown, CommandLine cl, CommandLine.ParseResult parsed) {
    // Lazy listings and the configuration loader wrap I/O errors; report the I/O error itself.
    Exception e = thrown instanceof java.io.UncheckedIOException u ? u.getCause() : thrown;
    cl.getErr().println("sluice: " + describe(e));
    if (!(e instanceof IOException) && !(e instanceof CliException) && !(e instanceof IllegalArgumentException)) {
      e.printStackTrace(cl.getErr());
    }
    cl.getErr().flush();
    return 1;
  }

  static String describe(Throwable e) {
    if (e instanceof CliException ce) {
      Throwable cause = ce.getCause();
      if (cause instanceof RpcException re && ce.path() != null) {
        return ce.path() + ": " + StatusText.of(re);
      }
      return ce.path() == null ? ce.getMessage() : ce.path() + ": " + ce.getMessage();
    }
    if (e instanceof RpcException re) {
      return StatusText.of(re);
    }
    return String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage());
  }

}
