package io.sluice.ufs.s3;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsPath;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Maps AWS SDK failures to {@link UfsException} kinds: the one place the S3 connector classifies errors. */
final class S3Errors {
  private S3Errors() {}

  static boolean isNotFound(SdkException e) {
    return e instanceof S3Exception s && s.statusCode() == 404;
  }

  /** HTTP 416: a range starting at or past the end of the object. */
  static boolean isRangeNotSatisfiable(SdkException e) {
    return e instanceof S3Exception s && s.statusCode() == 416;
  }

  static UfsException translate(SdkException e, UfsPath path) {
    String p = path.toString();
    if (e instanceof S3Exception s) {
      String code = s.awsErrorDetails() == null ? "" : s.awsErrorDetails().errorCode();
      String what = "S3 " + s.statusCode() + " " + code;
      return switch (s.statusCode()) {
        case 404 -> new UfsException(Kind.NOT_FOUND, p, what, e);
        case 401, 403 -> new UfsException(Kind.PERMISSION_DENIED, p, what, e);
        case 412 -> new UfsException(Kind.ALREADY_EXISTS, p, what, e);
        // Throttling (503 SlowDown, 429) and server faults pass; the caller may retry later.
        case 429, 500, 502, 503, 504 -> new UfsException(Kind.UNAVAILABLE, p, what, e);
        default -> new UfsException(Kind.IO_ERROR, p, what, e);
      };
    }
    if (e instanceof SdkClientException) {
      // No answer at all: connection refused, timeout, DNS.
      return new UfsException(Kind.UNAVAILABLE, p, "S3 not reachable: " + e.getMessage(), e);
    }
    return new UfsException(Kind.IO_ERROR, p, e.toString(), e);
  }
}
