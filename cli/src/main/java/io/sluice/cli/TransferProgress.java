package io.sluice.cli;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of one copy ({@code fs put}, {@code get}, {@code cp}) on stderr, so stdout stays the command's own: on a
 * terminal a bar redrawn in place a few times a second (bytes, rate, ETA) and finished with a newline; elsewhere (a
 * pipe, a log) a plain line every {@value #PLAIN_EVERY_MS} ms, so a short copy prints nothing. Counts the bytes
 * passing through the stream {@link #track} wraps; not thread-safe (one copy, one thread).
 */
public final class TransferProgress {
  private static final int BAR = 30;
  private static final long TERMINAL_EVERY_MS = 200;
  private static final long PLAIN_EVERY_MS = 5000;

  private final PrintWriter err;
  private final long total;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private long done;
  private long lastPrintNanos;

  /**
   * @param total the bytes expected, or -1 when unknown (no bar or ETA then)
   * @param terminal whether to redraw a bar in place; {@link #onConsole} for the usual choice
   */
  public TransferProgress(PrintWriter err, long total, boolean terminal) {
    this(err, total, terminal, System::nanoTime);
  }

  /** @param nanoTime the clock deciding when to print (tests pass a fake one) */
  TransferProgress(PrintWriter err, long total, boolean terminal, LongSupplier nanoTime) {
    this.err = err;
    this.total = total;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
    this.lastPrintNanos = startNanos;
  }

  /** Progress for {@code total} bytes, drawn as a bar when this process runs on a terminal. */
  public static TransferProgress onConsole(PrintWriter err, long total) {
    return new TransferProgress(err, total, System.console() != null);
  }

  /** {@code in}, counting what is read from it. */
  public InputStream track(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        add(b < 0 ? 0 : 1);
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        add(Math.max(n, 0));
        return n;
      }
    };
  }

  /** {@code out}, counting what is written to it. */
  public OutputStream track(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        add(1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        add(len);
      }
    };
  }

  private void add(long n) {
    done += n;
    long now = nanoTime.getAsLong();
    if ((now - lastPrintNanos) / 1_000_000 >= (terminal ? TERMINAL_EVERY_MS : PLAIN_EVERY_MS)) {
      lastPrintNanos = now;
      print(now);
    }
  }

  /** Ends the bar on a terminal (drawn complete, then a newline); prints nothing elsewhere. */
  public void finish() {
    if (terminal) {
      print(nanoTime.getAsLong());
      err.println();
      err.flush();
    }
  }

  private void print(long now) {
    err.print(line(done, total, (now - startNanos) / 1_000_000, terminal));
    if (!terminal) {
      err.println();
    }
    err.flush();
  }

  /** {@code [####  ]  40% 4.0MiB/10.0MiB 2.0MiB/s ETA 3s}; without the bar and {@code \r} when not a terminal. */
  static String line(long done, long total, long elapsedMs, boolean terminal) {
    double rate = elapsedMs <= 0 ? 0 : done / (elapsedMs / 1000.0);
    String eta = total < 0 || rate <= 0 || done >= total ? "--" : eta((total - done) / rate);
    String text = SizeText.of(done) + (total < 0 ? "" : "/" + SizeText.of(total)) + " " + SizeText.of((long) rate)
        + "/s ETA " + eta;
    if (!terminal || total < 0) {
      return (terminal ? "\r" : "") + text;
    }
    double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
    int filled = (int) Math.round(fraction * BAR);
    return "\r[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "] "
        + String.format(Locale.ROOT, "%3.0f%% ", fraction * 100) + text;
  }

  /** A time left as people read it: {@code 42s}, {@code 3m05s}, {@code 2h10m}. */
  public static String eta(double seconds) {
    long t = (long) Math.ceil(seconds);
    return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60)
        : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
  }
}
