package io.sluice.ufs.s3;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads a new object. Up to one part it buffers and sends a single PutObject on close; past that it starts a
 * multipart upload and sends each full part as it fills, completing the upload on close. S3 shows neither until the
 * PutObject or CompleteMultipartUpload succeeds, which gives the visible-on-close promise; abort cancels the
 * multipart upload so its parts stop costing storage. Parts are sent on the writer's thread, one at a time.
 */
final class S3OutputStream extends UfsOutputStream {
  private static final Logger LOG = LoggerFactory.getLogger(S3OutputStream.class);
  private static final String CONTENT_TYPE = "application/octet-stream";

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final UfsPath path;
  private final int partSize;
  /** Grows up to {@code partSize}, so a small file never holds a whole part in memory. */
  private byte[] buf = new byte[8192];
  private int len;
  private String uploadId;
  private final List<CompletedPart> parts = new ArrayList<>();
  private boolean done;

  S3OutputStream(S3Client s3, String bucket, String key, UfsPath path, int partSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.path = path;
    this.partSize = partSize;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int n) throws IOException {
    if (done) {
      throw new IOException("'" + path + "': stream already closed or aborted");
    }
    while (n > 0) {
      if (len == partSize) {
        uploadPart();
      }
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(partSize, 2L * buf.length));
      }
      int k = Math.min(n, buf.length - len);
      System.arraycopy(b, off, buf, len, k);
      len += k;
      off += k;
      n -= k;
    }
  }

  private RequestBody body() {
    byte[] data = buf;
    int size = len;
    // A provider over the buffer instead of RequestBody.fromBytes, which would copy a whole part.
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, size), size, CONTENT_TYPE);
  }

  private void uploadPart() throws IOException {
    try {
      if (uploadId == null) {
        uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType(CONTENT_TYPE)).uploadId();
      }
      int number = parts.size() + 1;
      String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
          .contentLength((long) len), body()).eTag();
      parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      len = 0;
    } catch (SdkException e) {
      UfsException u = S3Errors.translate(e, path);
      abort();
      throw u;
    }
  }

  @Override
  public void close() throws IOException {
    if (done) {
      return;
    }
    try {
      if (uploadId == null) {
        s3.putObject(r -> r.bucket(bucket).key(key).contentType(CONTENT_TYPE).contentLength((long) len), body());
      } else {
        if (len > 0) {
          uploadPart();
        }
        s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(parts)));
      }
      done = true;
      buf = null;
    } catch (SdkException e) {
      UfsException u = S3Errors.translate(e, path);
      abort();
      throw u;
    }
  }

  @Override
  public void abort() throws IOException {
    if (done) {
      return;
    }
    done = true;
    buf = null;
    if (uploadId != null) {
      try {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
      } catch (SdkException e) {
        // The upload stays invisible either way; a bucket lifecycle rule reaps what is left.
        LOG.warn("{}: could not abort multipart upload {}: {}", path, uploadId, e.toString());
      }
    }
  }
}
