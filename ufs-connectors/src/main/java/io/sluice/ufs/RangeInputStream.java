package io.sluice.ufs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Gives at most {@code limit} bytes of a stream already positioned at the range's start, for connectors whose store
 * reads from an offset but not up to a length. Closing closes the underlying stream.
 */
public final class RangeInputStream extends FilterInputStream {
  private long remaining;

  /** @param limit bytes to give at most; negative for no limit */
  public RangeInputStream(InputStream in, long limit) {
    super(in);
    this.remaining = limit < 0 ? Long.MAX_VALUE : limit;
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = in.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(Math.min(n, remaining));
    remaining -= skipped;
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), remaining);
  }

  @Override
  public boolean markSupported() {
    // A reset would have to restore the remaining count too; nobody needs it.
    return false;
  }
}
