package io.sluice.client.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A range of a UFS file that must hold exactly the bytes the namespace listed: the stream ending early means the
 * file was truncated or replaced in the UFS after the master listed it, which fails with STALE instead of
 * returning a short block. Closing closes the underlying stream.
 */
final class UfsRangeStream extends FilterInputStream {
  private final String what;
  private final long length;
  private long read;

  /** @param what names the range in errors */
  UfsRangeStream(InputStream in, long length, String what) {
    super(in);
    this.length = length;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (read == length) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, (int) Math.min(len, length - read));
    if (n < 0) {
      throw new RpcException(Status.STALE, what + ": the UFS file changed since it was listed (it ended after "
          + read + " of " + length + " bytes)");
    }
    read += n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipping could pass the end unnoticed; read through instead (only buffered skips reach here).
    return 0;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
