package io.sluice.ufs.s3;

import io.sluice.ufs.OpenedFile;
import io.sluice.ufs.UfsCapability;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsListing;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A bucket (or a prefix of one) as a UFS, over the AWS SDK v2. Directories are key prefixes ({@link S3Layout}):
 * {@code mkdirs} writes a marker object, a directory exists while its marker or anything under it does, and
 * deleting its last file can make an unmarked directory vanish. Listing is one ListObjectsV2 call per page with
 * delimiter {@code /}, the cursor being S3's continuation token. Renaming a file copies and deletes it (not atomic;
 * objects up to 5 GiB, S3's single-copy limit); directories cannot be renamed. The fingerprint is the ETag.
 */
public final class S3UnderFileSystem implements UnderFileSystem {
  private static final Set<UfsCapability> CAPABILITIES = Set.of(UfsCapability.ETAG);
  /** S3's limits: a single CopyObject, and keys per DeleteObjects call. */
  private static final long MAX_COPY_SIZE = 5L << 30;
  private static final int DELETE_BATCH = 1000;

  private final URI root;
  private final S3Client s3;
  private final S3Layout layout;
  private final int partSize;

  /** Takes ownership of {@code s3}: {@link #close()} closes it. */
  public S3UnderFileSystem(URI root, S3Client s3, int partSize) throws UfsException {
    this.root = root;
    this.s3 = s3;
    this.layout = S3Layout.of(root);
    this.partSize = partSize;
  }

  @Override
  public URI root() {
    return root;
  }

  @Override
  public Set<UfsCapability> capabilities() {
    return CAPABILITIES;
  }

  private String bucket() {
    return layout.bucket();
  }

  /** The object at {@code path}'s file key, empty if none. */
  private Optional<HeadObjectResponse> head(UfsPath path) throws UfsException {
    if (path.isRoot()) {
      return Optional.empty();
    }
    try {
      return Optional.of(s3.headObject(r -> r.bucket(bucket()).key(layout.fileKey(path))));
    } catch (SdkException e) {
      if (S3Errors.isNotFound(e)) {
        return Optional.empty();
      }
      throw S3Errors.translate(e, path);
    }
  }

  /** Up to {@code max} keys under {@code dir}'s prefix, recursively: the marker, if any, comes first. */
  private ListObjectsV2Response under(UfsPath dir, int max) throws UfsException {
    try {
      return s3.listObjectsV2(r -> r.bucket(bucket()).prefix(layout.dirPrefix(dir)).maxKeys(max));
    } catch (SdkException e) {
      throw S3Errors.translate(e, dir);
    }
  }

  private boolean isDirectory(UfsPath path) throws UfsException {
    return path.isRoot() || !under(path, 1).contents().isEmpty();
  }

  private static UfsStatus fileStatus(UfsPath path, long length, Instant mtime, String etag) {
    return UfsStatus.file(path, length, mtime == null ? 0 : mtime.toEpochMilli(), etag == null ? "" : etag);
  }

  @Override
  public Optional<UfsStatus> getStatus(UfsPath path) throws IOException {
    if (path.isRoot()) {
      return Optional.of(UfsStatus.directory(path, 0));
    }
    Optional<HeadObjectResponse> head = head(path);
    if (head.isPresent()) {
      HeadObjectResponse h = head.get();
      return Optional.of(fileStatus(path, h.contentLength(), h.lastModified(), h.eTag()));
    }
    ListObjectsV2Response first = under(path, 1);
    if (first.contents().isEmpty()) {
      return Optional.empty();
    }
    S3Object o = first.contents().get(0);
    // The marker's time is when the directory was made; an implied directory has none.
    long mtime = o.key().equals(layout.dirPrefix(path)) ? o.lastModified().toEpochMilli() : 0;
    return Optional.of(UfsStatus.directory(path, mtime));
  }

  @Override
  public UfsListing list(UfsPath dir, String cursor, int limit) throws IOException {
    if (limit < 1) {
      throw new UfsException(Kind.INVALID_ARGUMENT, dir.toString(), "listing limit must be positive: " + limit);
    }
    String prefix = layout.dirPrefix(dir);
    ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(bucket()).prefix(prefix)
        .delimiter("/").maxKeys(limit);
    if (!cursor.isEmpty()) {
      req.continuationToken(cursor);
    }
    ListObjectsV2Response page;
    try {
      page = s3.listObjectsV2(req.build());
    } catch (SdkException e) {
      throw S3Errors.translate(e, dir);
    }
    if (cursor.isEmpty() && !dir.isRoot() && page.contents().isEmpty() && page.commonPrefixes().isEmpty()) {
      // Nothing under the prefix, not even a marker: a file or nothing.
      throw head(dir).isPresent()
          ? new UfsException(Kind.NOT_DIRECTORY, dir.toString(), "not a directory")
          : new UfsException(Kind.NOT_FOUND, dir.toString(), "no such directory");
    }
    // S3 returns files and sub-prefixes apart, each sorted; merged by key they come back in S3's order.
    List<Keyed> keyed = new ArrayList<>();
    for (S3Object o : page.contents()) {
      layout.child(dir, o.key()).ifPresent(p -> keyed.add(
          new Keyed(o.key(), fileStatus(p, o.size(), o.lastModified(), o.eTag()))));
    }
    for (CommonPrefix c : page.commonPrefixes()) {
      layout.child(dir, c.prefix()).ifPresent(p -> keyed.add(new Keyed(c.prefix(), UfsStatus.directory(p, 0))));
    }
    keyed.sort(Comparator.comparing(Keyed::key));
    List<UfsStatus> entries = keyed.stream().map(Keyed::status).toList();
    String next = Boolean.TRUE.equals(page.isTruncated()) && page.nextContinuationToken() != null
        ? page.nextContinuationToken() : "";
    return new UfsListing(entries, next);
  }

  private record Keyed(String key, UfsStatus status) {}

  @Override
  public InputStream open(UfsPath path, long offset, long length) throws IOException {
    if (offset < 0) {
      throw new UfsException(Kind.INVALID_ARGUMENT, path.toString(), "negative offset " + offset);
    }
    if (path.isRoot()) {
      throw new UfsException(Kind.IS_DIRECTORY, "", "is a directory");
    }
    if (length == 0) {
      requireFile(path);
      return InputStream.nullInputStream();
    }
    String range = range(offset, length);
    try {
      ResponseInputStream<GetObjectResponse> in =
          s3.getObject(r -> r.bucket(bucket()).key(layout.fileKey(path)).range(range));
      return new S3RangeStream(in);
    } catch (SdkException e) {
      if (S3Errors.isRangeNotSatisfiable(e)) {
        // The object exists and the range starts at or past its end (or it is empty).
        return InputStream.nullInputStream();
      }
      if (S3Errors.isNotFound(e) && isDirectory(path)) {
        throw new UfsException(Kind.IS_DIRECTORY, path.toString(), "is a directory");
      }
      throw S3Errors.translate(e, path);
    }
  }

  /**
   * One ranged GET, whose response carries the status: ETag and Last-Modified as a HEAD gives them, the length from
   * Content-Range. When the GET cannot tell (no such key: a directory or nothing; a range past the end; a server
   * that ignored the range) the status is asked for as {@link UnderFileSystem#openWithStatus} does.
   */
  @Override
  public Optional<OpenedFile> openWithStatus(UfsPath path, long offset, long length) throws IOException {
    if (offset < 0) {
      throw new UfsException(Kind.INVALID_ARGUMENT, path.toString(), "negative offset " + offset);
    }
    if (path.isRoot() || length == 0) {
      return UnderFileSystem.super.openWithStatus(path, offset, length);
    }
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(r -> r.bucket(bucket()).key(layout.fileKey(path)).range(range(offset, length)));
    } catch (SdkException e) {
      if (S3Errors.isRangeNotSatisfiable(e) || S3Errors.isNotFound(e)) {
        return UnderFileSystem.super.openWithStatus(path, offset, length);
      }
      throw S3Errors.translate(e, path);
    }
    GetObjectResponse r = in.response();
    long total = totalLength(r.contentRange());
    if (total < 0) {
      in.abort();  // not the range asked for: do not download the whole object
      return UnderFileSystem.super.openWithStatus(path, offset, length);
    }
    return Optional.of(new OpenedFile(fileStatus(path, total, r.lastModified(), r.eTag()), new S3RangeStream(in)));
  }

  private static String range(long offset, long length) {
    return length < 0 || offset + length < 0
        ? "bytes=" + offset + "-" : "bytes=" + offset + "-" + (offset + length - 1);
  }

  /** The object's length from a Content-Range header ({@code bytes 0-99/1000}); -1 when absent or unknown. */
  static long totalLength(String contentRange) {
    if (contentRange == null) {
      return -1;
    }
    int slash = contentRange.lastIndexOf('/');
    try {
      return slash < 0 ? -1 : Long.parseLong(contentRange.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      return -1;  // "*": the server does not know
    }
  }

  private void requireFile(UfsPath path) throws UfsException {
    if (head(path).isEmpty()) {
      throw isDirectory(path)
          ? new UfsException(Kind.IS_DIRECTORY, path.toString(), "is a directory")
          : new UfsException(Kind.NOT_FOUND, path.toString(), "no such file");
    }
  }

  @Override
  public UfsOutputStream create(UfsPath path, boolean overwrite) throws IOException {
    if (path.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, "", "cannot create a file at the UFS root");
    }
    if (isDirectory(path)) {
      throw new UfsException(Kind.IS_DIRECTORY, path.toString(), "is a directory");
    }
    if (!overwrite && head(path).isPresent()) {
      throw new UfsException(Kind.ALREADY_EXISTS, path.toString(), "file exists");
    }
    return new S3OutputStream(s3, bucket(), layout.fileKey(path), path, partSize);
  }

  @Override
  public void delete(UfsPath path, boolean recursive) throws IOException {
    if (path.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, "", "cannot delete the UFS root");
    }
    if (head(path).isPresent()) {
      deleteKey(path, layout.fileKey(path));
      return;
    }
    String marker = layout.dirPrefix(path);
    ListObjectsV2Response first = under(path, 2);
    if (first.contents().isEmpty()) {
      throw new UfsException(Kind.NOT_FOUND, path.toString(), "no such file or directory");
    }
    boolean onlyMarker = first.contents().size() == 1 && first.contents().get(0).key().equals(marker);
    if (onlyMarker) {
      deleteKey(path, marker);
      return;
    }
    if (!recursive) {
      throw new UfsException(Kind.NOT_EMPTY, path.toString(), "directory not empty");
    }
    deleteAllUnder(path);
  }

  private void deleteKey(UfsPath path, String key) throws UfsException {
    try {
      s3.deleteObject(r -> r.bucket(bucket()).key(key));
    } catch (SdkException e) {
      throw S3Errors.translate(e, path);
    }
  }

  /** Deletes every key under the directory, a listing page (up to 1000 keys) per DeleteObjects call. */
  private void deleteAllUnder(UfsPath dir) throws UfsException {
    String prefix = layout.dirPrefix(dir);
    try {
      String token = null;
      do {
        String t = token;
        ListObjectsV2Response page = s3.listObjectsV2(r -> r.bucket(bucket()).prefix(prefix)
            .maxKeys(DELETE_BATCH).continuationToken(t));
        List<ObjectIdentifier> ids = page.contents().stream()
            .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
        if (!ids.isEmpty()) {
          var result = s3.deleteObjects(r -> r.bucket(bucket()).delete(d -> d.objects(ids).quiet(true)));
          if (!result.errors().isEmpty()) {
            var err = result.errors().get(0);
            throw new UfsException(Kind.IO_ERROR, dir.toString(), "could not delete " + result.errors().size()
                + " keys, first " + err.key() + ": " + err.code() + " " + err.message());
          }
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (SdkException e) {
      throw S3Errors.translate(e, dir);
    }
  }

  @Override
  public void rename(UfsPath src, UfsPath dst) throws IOException {
    if (src.isRoot() || dst.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, src.toString(), "cannot rename the UFS root");
    }
    if (src.isAncestorOf(dst)) {
      throw new UfsException(Kind.INVALID_ARGUMENT, src.toString(), "cannot move into its own subtree " + dst);
    }
    Optional<HeadObjectResponse> head = head(src);
    if (head.isEmpty()) {
      throw isDirectory(src)
          ? new UfsException(Kind.UNSUPPORTED, src.toString(), "S3 cannot rename a directory (no atomic rename)")
          : new UfsException(Kind.NOT_FOUND, src.toString(), "no such file or directory");
    }
    if (src.equals(dst)) {
      return;
    }
    if (head(dst).isPresent() || isDirectory(dst)) {
      throw new UfsException(Kind.ALREADY_EXISTS, dst.toString(), "already exists");
    }
    if (head.get().contentLength() > MAX_COPY_SIZE) {
      throw new UfsException(Kind.UNSUPPORTED, src.toString(), "renaming an S3 object over 5 GiB is not supported");
    }
    try {
      s3.copyObject(r -> r.sourceBucket(bucket()).sourceKey(layout.fileKey(src))
          .destinationBucket(bucket()).destinationKey(layout.fileKey(dst)));
    } catch (SdkException e) {
      throw S3Errors.translate(e, src);
    }
    deleteKey(src, layout.fileKey(src));
  }

  @Override
  public void mkdirs(UfsPath path) throws IOException {
    if (path.isRoot()) {
      return;
    }
    if (head(path).isPresent()) {
      throw new UfsException(Kind.ALREADY_EXISTS, path.toString(), "a file exists there");
    }
    if (isDirectory(path)) {
      return;
    }
    try {
      s3.putObject(r -> r.bucket(bucket()).key(layout.dirPrefix(path)).contentLength(0L),
          RequestBody.empty());
    } catch (SdkException e) {
      throw S3Errors.translate(e, path);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return "S3UnderFileSystem[" + root + "]";
  }
}
