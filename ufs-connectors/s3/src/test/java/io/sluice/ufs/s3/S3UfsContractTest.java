package io.sluice.ufs.s3;

import io.sluice.ufs.AbstractUfsContractTest;
import io.sluice.ufs.UfsRegistry;
import io.sluice.ufs.UnderFileSystem;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The UFS contract on a real S3 server (S3Proxy), mounted at a prefix of a bucket through the registry. */
class S3UfsContractTest extends AbstractUfsContractTest {
  static final String BUCKET = "sluice-test";
  @TempDir static Path workDir;
  private static S3ProxyProcess proxy;
  private static UnderFileSystem ufs;

  static Map<String, String> options(URI endpoint) {
    return Map.of(
        S3Options.ENDPOINT, endpoint.toString(),
        S3Options.REGION, "us-east-1",
        S3Options.PATH_STYLE, "true",
        S3Options.ACCESS_KEY, S3ProxyProcess.IDENTITY,
        S3Options.SECRET_KEY, S3ProxyProcess.CREDENTIAL,
        S3Options.PART_SIZE, "5m");
  }

  @BeforeAll
  static void startS3() throws Exception {
    proxy = S3ProxyProcess.start(workDir);
    Map<String, String> options = options(proxy.endpoint());
    try (S3Client s3 = S3UfsFactory.client(S3Options.parse(options))) {
      s3.createBucket(r -> r.bucket(BUCKET));
    }
    ufs = UfsRegistry.load().create(URI.create("s3://" + BUCKET + "/mount/root"), options);
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (ufs != null) {
      ufs.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Override
  protected UnderFileSystem ufs() {
    return ufs;
  }

  /** Past two 5 MiB parts: a multipart upload of three parts, the last one short. */
  @Override
  protected int largeFileSize() {
    return 11 << 20;
  }
}
