package io.sluice.hadoop;

import io.sluice.common.rpc.RpcException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.FutureDataInputStreamBuilder;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.impl.OpenFileParameters;
import org.apache.hadoop.util.ReflectionUtils;
import org.apache.hadoop.util.functional.RemoteIterators;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transparent mode: Sluice's cache under an existing scheme, without changing a job's paths. Configured as the
 * implementation of that scheme, it wraps the implementation it replaces (e.g. S3A) and sends the reads of paths
 * under a Sluice mount through Sluice, so they are served from, and fill, the cache:
 * <pre>
 *   fs.s3a.impl              = io.sluice.hadoop.CachingShimFileSystem
 *   sluice.shim.s3a.impl     = org.apache.hadoop.fs.s3a.S3AFileSystem   (the default for s3a; see {@link ShimKeys})
 *   sluice.master.addresses  = master1:7070,...
 * </pre>
 *
 * <h2>What goes where</h2>
 * <ul>
 *   <li>{@code open} (and the {@code openFile()} builder), {@code getFileStatus}, {@code listStatus} and
 *       {@code listStatusIterator} of a path whose URI is at or under a mount's UFS URI ({@link UfsMountMap}) go to
 *       Sluice, at the mount's namespace path; the statuses returned carry the caller's path. A path Sluice does
 *       not know (a file written past Sluice since its last sync of that directory) is looked up in the original.
 *   <li>Everything else (writes, deletes, renames, permissions, block locations and the listings that carry them,
 *       {@code listFiles} and {@code listLocatedStatus}, checksums, paths under no mount) goes to the original
 *       implementation unchanged.
 *   <li>The mount table is read once, when the file system is initialized; a mount made later is seen by file
 *       systems created after it ({@code FileSystem.newInstance}, or a new JVM).
 *   <li>When Sluice cannot be reached then, or no mount is on this file system's scheme and authority, every call
 *       goes to the original; the first case logs one warning. Should Sluice fail later, routed reads fail with
 *       its error, as they would on {@code sluice://}: the client already retries through master failovers.
 * </ul>
 *
 * <h2>Consistency</h2>
 * Reads through Sluice see the UFS as of the mount's sync interval (DESIGN §4): a file overwritten past Sluice is
 * read afresh once Sluice re-checks its fingerprint. Jobs that write and read back the same paths within one sync
 * interval should mount with a short interval.
 */
public class CachingShimFileSystem extends FilterFileSystem {
  private static final Logger LOG = LoggerFactory.getLogger(CachingShimFileSystem.class);

  /** Null when every call goes to the original. */
  private SluiceFileSystem sluice;
  private UfsMountMap mounts;

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    String scheme = name.getScheme();
    Class<? extends FileSystem> original = originalClass(scheme, conf);
    fs = ReflectionUtils.newInstance(original, conf);
    fs.initialize(name, conf);
    super.initialize(name, conf);
    connectSluice(conf);
  }

  private static Class<? extends FileSystem> originalClass(String scheme, Configuration conf) throws IOException {
    String className = ShimKeys.implFor(scheme, conf);
    try {
      Class<?> c = conf.getClassByName(className);
      if (!FileSystem.class.isAssignableFrom(c) || CachingShimFileSystem.class.isAssignableFrom(c)) {
        throw new IOException(ShimKeys.implKey(scheme) + "=" + className
            + ": must name a FileSystem other than the caching shim");
      }
      return c.asSubclass(FileSystem.class);
    } catch (ClassNotFoundException e) {
      throw new IOException(ShimKeys.implKey(scheme) + "=" + className + ": class not found", e);
    }
  }

  /** Reads the mount table; a bad {@code sluice.*} value fails, an unreachable Sluice only warns. */
  private void connectSluice(Configuration conf) throws IOException {
    SluiceFileSystem candidate = new SluiceFileSystem();
    candidate.initialize(URI.create(SluiceFileSystem.SCHEME + ":///"), conf);
    try {
      UfsMountMap table = new UfsMountMap(candidate.mounts());
      if (table.covers(getUri())) {
        sluice = candidate;
        mounts = table;
        LOG.debug("{}: reads under Sluice's mounts go through Sluice", getUri());
        return;
      }
      LOG.debug("{}: no Sluice mount on this file system; every call goes to {}", getUri(), fs.getClass().getName());
    } catch (RpcException e) {
      LOG.warn("{}: Sluice is unreachable ({}: {}); every call goes to {}, uncached", getUri(), e.status(),
          e.getMessage(), fs.getClass().getName());
    }
    candidate.close();
  }

  /** Where {@code f} is in Sluice's namespace, or empty when it is not under a mount (or Sluice is off). */
  private Optional<Path> inSluice(Path f) {
    if (sluice == null) {
      return Optional.empty();
    }
    return mounts.namespacePath(makeQualified(f).toUri()).map(Path::new);
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    Optional<Path> routed = inSluice(f);
    if (routed.isPresent()) {
      try {
        return sluice.open(routed.get(), bufferSize);
      } catch (FileNotFoundException e) {
        LOG.debug("{} not in Sluice ({}); reading it directly", f, e.getMessage());
      }
    }
    return fs.open(f, bufferSize);
  }

  /** FilterFileSystem hands the builder to the original; a routed path builds on this file system instead. */
  @Override
  public FutureDataInputStreamBuilder openFile(Path path) throws IOException {
    if (inSluice(path).isEmpty()) {
      return super.openFile(path);
    }
    return createDataInputStreamBuilder(this, path);
  }

  /** The builder's options are hints Sluice's stream does not need; the path decides the route. */
  @Override
  protected CompletableFuture<FSDataInputStream> openFileWithOptions(Path path, OpenFileParameters parameters)
      throws IOException {
    if (inSluice(path).isEmpty()) {
      return super.openFileWithOptions(path, parameters);
    }
    CompletableFuture<FSDataInputStream> result = new CompletableFuture<>();
    try {
      result.complete(open(path, parameters.getBufferSize()));
    } catch (IOException | RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    Optional<Path> routed = inSluice(f);
    if (routed.isPresent()) {
      try {
        FileStatus status = sluice.getFileStatus(routed.get());
        status.setPath(makeQualified(f));
        return status;
      } catch (FileNotFoundException e) {
        LOG.debug("{} not in Sluice ({}); asking {}", f, e.getMessage(), fs.getClass().getName());
      }
    }
    return fs.getFileStatus(f);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    Optional<Path> routed = inSluice(f);
    if (routed.isPresent()) {
      try {
        return callerPaths(makeQualified(f), routed.get(), sluice.listStatus(routed.get()));
      } catch (FileNotFoundException e) {
        LOG.debug("{} not in Sluice ({}); listing it directly", f, e.getMessage());
      }
    }
    return fs.listStatus(f);
  }

  @Override
  public RemoteIterator<FileStatus> listStatusIterator(Path f) throws IOException {
    if (inSluice(f).isEmpty()) {
      return fs.listStatusIterator(f);
    }
    return RemoteIterators.remoteIteratorFromArray(listStatus(f));
  }

  /** Sluice's statuses renamed into the caller's scheme: a listed file is itself, entries are children. */
  private static FileStatus[] callerPaths(Path dir, Path routedDir, FileStatus[] listed) {
    for (FileStatus s : listed) {
      boolean itself = s.getPath().toUri().getPath().equals(routedDir.toUri().getPath());
      s.setPath(itself ? dir : new Path(dir, s.getPath().getName()));
    }
    return listed;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      if (sluice != null) {
        sluice.close();
      }
    }
  }

  @Override
  public String toString() {
    return "CachingShimFileSystem{" + fs + (sluice == null ? ", uncached}" : ", cached by " + sluice + "}");
  }
}
