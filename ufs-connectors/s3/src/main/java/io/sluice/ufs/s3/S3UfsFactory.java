package io.sluice.ufs.s3;

import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UnderFileSystem;
import io.sluice.ufs.UnderFileSystemFactory;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Mounts {@code s3://bucket[/prefix]} with the options of {@link S3Options}. Checks on mount that the bucket is
 * reachable, so a typo fails the mount rather than the first read.
 */
public final class S3UfsFactory implements UnderFileSystemFactory {
  private static final Logger LOG = LoggerFactory.getLogger(S3UfsFactory.class);

  @Override
  public boolean supports(URI root) {
    return "s3".equalsIgnoreCase(root.getScheme());
  }

  @Override
  public UnderFileSystem create(URI root, Map<String, String> options) throws IOException {
    S3Options o = S3Options.parse(options);
    S3Layout layout = S3Layout.of(root);
    S3Client s3 = client(o);
    try {
      s3.headBucket(r -> r.bucket(layout.bucket()));
    } catch (SdkException e) {
      s3.close();
      if (S3Errors.isNotFound(e)) {
        throw new UfsException(Kind.NOT_FOUND, root.toString(), "no such bucket", e);
      }
      throw S3Errors.translate(e, UfsPath.ROOT);
    }
    LOG.info("Mounted {} with {}", root, o);
    return new S3UnderFileSystem(root, s3, o.partSize());
  }

  /** An S3 client for these options; the caller closes it. */
  public static S3Client client(S3Options o) {
    return builder(o).build();
  }

  /** What {@link #client} builds; tests add to it (e.g. an interceptor counting requests). */
  static S3ClientBuilder builder(S3Options o) {
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(Apache5HttpClient.builder())
        .forcePathStyle(o.pathStyle())
        .region(o.region().map(Region::of).orElseGet(S3UfsFactory::defaultRegion))
        // Checksums only where S3 requires them: many S3-compatible stores reject the newer trailing checksums
        // that the SDK otherwise adds to every upload.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    o.endpoint().ifPresent(b::endpointOverride);
    if (o.accessKey().isPresent()) {
      b.credentialsProvider(StaticCredentialsProvider.create(
          AwsBasicCredentials.create(o.accessKey().get(), o.secretKey().orElseThrow())));
    } else {
      b.credentialsProvider(DefaultCredentialsProvider.builder().build());
    }
    return b;
  }

  private static Region defaultRegion() {
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (SdkException e) {
      // Nothing configured: S3-compatible stores usually accept any region, and AWS redirects from this one.
      return Region.US_EAST_1;
    }
  }
}
