package io.sluice.ufs.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;

/**
 * The body of a ranged GetObject. Closing it before the end aborts the HTTP response instead of draining it, so a
 * reader that stops early does not download the rest of a large range; the connection is then not reused.
 */
final class S3RangeStream extends FilterInputStream {
  private final ResponseInputStream<?> response;
  private boolean eof;

  S3RangeStream(ResponseInputStream<?> response) {
    super(response);
    this.response = response;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    eof |= b < 0;
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    eof |= n < 0;
    return n;
  }

  @Override
  public void close() throws IOException {
    if (!eof) {
      response.abort();
    }
    super.close();
  }
}
