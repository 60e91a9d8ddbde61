package io.sluice.ufs.hdfs;

import io.sluice.ufs.RangeInputStream;
import io.sluice.ufs.StagingName;
import io.sluice.ufs.UfsCapability;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsException.Kind;
import io.sluice.ufs.UfsListing;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.DirectoryListing;
import org.apache.hadoop.hdfs.protocol.HdfsFileStatus;

/**
 * A directory of HDFS (or of any store behind Hadoop's {@code FileSystem} with a {@code FileContext} binding) as a
 * UFS. Renames are the namenode's atomic rename; creates write a staging sibling and rename it
 * ({@link HdfsOutputStream}). Listing pages come from the namenode's own paged listing (it resumes after a name), so
 * a huge directory is never read whole; other Hadoop file systems are scanned per page, keeping only a page.
 */
public final class HdfsUnderFileSystem implements UnderFileSystem {
  private static final Set<UfsCapability> CAPABILITIES =
      Set.copyOf(EnumSet.of(UfsCapability.ATOMIC_RENAME, UfsCapability.DIRECTORIES));

  private final URI root;
  private final String rootPath;
  private final FileSystem fs;
  private final FileContext fc;

  /** Connects to {@code root}, whose directory must exist. */
  public HdfsUnderFileSystem(URI root, Configuration conf) throws IOException {
    this.root = root;
    String p = root.getPath() == null || root.getPath().isEmpty() ? "/" : root.getPath();
    this.rootPath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    // A private instance: FileSystem.get shares one per URI and user, and our close() would close it for others.
    this.fs = FileSystem.newInstance(root, conf);
    try {
      this.fc = FileContext.getFileContext(root, conf);
      FileStatus st = fs.getFileStatus(new Path(root));
      if (!st.isDirectory()) {
        throw new UfsException(Kind.NOT_DIRECTORY, root.toString(), "HDFS UFS root is not a directory");
      }
    } catch (IOException e) {
      fs.close();
      throw e instanceof FileNotFoundException
          ? new UfsException(Kind.NOT_FOUND, root.toString(), "HDFS UFS root does not exist", e)
          : HdfsErrors.translate(e, UfsPath.ROOT);
    }
  }

  @Override
  public URI root() {
    return root;
  }

  @Override
  public Set<UfsCapability> capabilities() {
    return CAPABILITIES;
  }

  /** The Hadoop path of {@code path}: the root's path plus the UFS path, on the root's file system. */
  private Path resolve(UfsPath path) throws UfsException {
    String p = path.isRoot() ? (rootPath.isEmpty() ? "/" : rootPath) : rootPath + "/" + path;
    try {
      return new Path(root.getScheme(), root.getAuthority(), p);
    } catch (IllegalArgumentException e) {
      throw HdfsErrors.invalidPath(e, path);
    }
  }

  private Optional<FileStatus> stat(UfsPath path) throws IOException {
    Path p = resolve(path);
    try {
      return Optional.of(fs.getFileStatus(p));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      UfsException u = HdfsErrors.translate(e, path);
      // Looking through a file ("file/child"): nothing is there.
      if (u.kind() == Kind.NOT_DIRECTORY || u.kind() == Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw u;
    } catch (IllegalArgumentException e) {
      throw HdfsErrors.invalidPath(e, path);
    }
  }

  private static UfsStatus status(UfsPath path, FileStatus st) {
    if (st.isDirectory()) {
      return UfsStatus.directory(path, st.getModificationTime());
    }
    // Every create is a new inode (staging + rename), so its id tells apart two same-length writes in one ms.
    String inode = st instanceof HdfsFileStatus h ? "#" + h.getFileId() : "";
    return UfsStatus.file(path, st.getLen(), st.getModificationTime(),
        st.getLen() + "@" + st.getModificationTime() + inode);
  }

  @Override
  public Optional<UfsStatus> getStatus(UfsPath path) throws IOException {
    return stat(path).map(st -> status(path, st));
  }

  private FileStatus requireDirectory(UfsPath dir) throws IOException {
    FileStatus st = stat(dir).orElseThrow(
        () -> new UfsException(Kind.NOT_FOUND, dir.toString(), "no such directory"));
    if (!st.isDirectory()) {
      throw new UfsException(Kind.NOT_DIRECTORY, dir.toString(), "not a directory");
    }
    return st;
  }

  @Override
  public UfsListing list(UfsPath dir, String cursor, int limit) throws IOException {
    if (limit < 1) {
      throw new UfsException(Kind.INVALID_ARGUMENT, dir.toString(), "listing limit must be positive: " + limit);
    }
    requireDirectory(dir);
    Path p = resolve(dir);
    try {
      return fs instanceof DistributedFileSystem dfs
          ? listFromNamenode(dfs, dir, p, cursor, limit)
          : listByScan(dir, p, cursor, limit);
    } catch (IOException e) {
      throw HdfsErrors.translate(e, dir);
    }
  }

  /**
   * The namenode lists in name (byte) order from just after a name, up to its {@code dfs.ls.limit} per call: a call
   * per page, more only when staging files fill a call.
   */
  private UfsListing listFromNamenode(DistributedFileSystem dfs, UfsPath dir, Path p, String cursor, int limit)
      throws IOException {
    List<UfsStatus> entries = new ArrayList<>();
    byte[] after = cursor.getBytes(StandardCharsets.UTF_8);
    String src = p.toUri().getPath();
    while (true) {
      DirectoryListing listing = dfs.getClient().listPaths(src, after);
      if (listing == null) {
        throw new UfsException(Kind.NOT_FOUND, dir.toString(), "directory vanished while listing");
      }
      HdfsFileStatus[] part = listing.getPartialListing();
      for (int i = 0; i < part.length; i++) {
        String name = part[i].getLocalName();
        if (!StagingName.isStaging(name)) {
          Optional<UfsPath> child = child(dir, name);
          if (child.isPresent()) {
            entries.add(status(child.get(), part[i].makeQualified(fs.getUri(), p)));
          }
        }
        if (entries.size() == limit) {
          boolean more = i + 1 < part.length || listing.hasMore();
          return new UfsListing(entries, more ? name : "");
        }
      }
      if (!listing.hasMore() || part.length == 0) {
        return new UfsListing(entries, "");
      }
      after = listing.getLastName();
    }
  }

  /** Other file systems list in no promised order: scan, keeping the limit + 1 smallest names after the cursor. */
  private UfsListing listByScan(UfsPath dir, Path p, String cursor, int limit) throws IOException {
    PriorityQueue<FileStatus> smallest =
        new PriorityQueue<>(Comparator.comparing((FileStatus s) -> s.getPath().getName()).reversed());
    RemoteIterator<FileStatus> it = fs.listStatusIterator(p);
    while (it.hasNext()) {
      FileStatus s = it.next();
      String name = s.getPath().getName();
      if (name.compareTo(cursor) <= 0 || StagingName.isStaging(name)) {
        continue;
      }
      smallest.add(s);
      if (smallest.size() > limit + 1) {
        smallest.poll();
      }
    }
    boolean more = smallest.size() > limit;
    if (more) {
      smallest.poll();
    }
    List<FileStatus> page = new ArrayList<>(smallest);
    page.sort(Comparator.comparing(s -> s.getPath().getName()));
    List<UfsStatus> entries = new ArrayList<>();
    for (FileStatus s : page) {
      child(dir, s.getPath().getName()).ifPresent(c -> entries.add(status(c, s)));
    }
    return new UfsListing(entries, more ? page.get(page.size() - 1).getPath().getName() : "");
  }

  /** A listed name as a child path; empty for a name Sluice cannot address (e.g. with a backslash). */
  private static Optional<UfsPath> child(UfsPath dir, String name) {
    try {
      return Optional.of(dir.child(name));
    } catch (UfsException e) {
      return Optional.empty();
    }
  }

  @Override
  public InputStream open(UfsPath path, long offset, long length) throws IOException {
    if (offset < 0) {
      throw new UfsException(Kind.INVALID_ARGUMENT, path.toString(), "negative offset " + offset);
    }
    FileStatus st = stat(path).orElseThrow(() -> new UfsException(Kind.NOT_FOUND, path.toString(), "no such file"));
    if (st.isDirectory()) {
      throw new UfsException(Kind.IS_DIRECTORY, path.toString(), "is a directory");
    }
    if (offset >= st.getLen() || length == 0) {
      return InputStream.nullInputStream();
    }
    FSDataInputStream in = null;
    try {
      in = fs.open(resolve(path));
      in.seek(offset);
      return new RangeInputStream(in, length);
    } catch (IOException e) {
      if (in != null) {
        in.close();
      }
      throw HdfsErrors.translate(e, path);
    }
  }

  @Override
  public UfsOutputStream create(UfsPath path, boolean overwrite) throws IOException {
    if (path.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, "", "cannot create a file at the UFS root");
    }
    Optional<FileStatus> st = stat(path);
    if (st.isPresent() && st.get().isDirectory()) {
      throw new UfsException(Kind.IS_DIRECTORY, path.toString(), "is a directory");
    }
    if (st.isPresent() && !overwrite) {
      throw new UfsException(Kind.ALREADY_EXISTS, path.toString(), "file exists");
    }
    makeParents(path.parent());
    Path target = resolve(path);
    Path staging = new Path(target.getParent(), StagingName.forName(path.name()));
    try {
      return new HdfsOutputStream(path, fs, fc, staging, target, overwrite);
    } catch (IOException e) {
      throw HdfsErrors.translate(e, path);
    } catch (IllegalArgumentException e) {
      throw HdfsErrors.invalidPath(e, path);
    }
  }

  /** Makes {@code dir} and its ancestors; NOT_DIRECTORY when one of them is a file. */
  private void makeParents(UfsPath dir) throws IOException {
    try {
      fs.mkdirs(resolve(dir));
    } catch (IOException e) {
      UfsException u = HdfsErrors.translate(e, dir);
      throw u.kind() == Kind.ALREADY_EXISTS
          ? new UfsException(Kind.NOT_DIRECTORY, dir.toString(), "a file is in the way of a directory", e) : u;
    } catch (IllegalArgumentException e) {
      throw HdfsErrors.invalidPath(e, dir);
    }
  }

  @Override
  public void delete(UfsPath path, boolean recursive) throws IOException {
    if (path.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, "", "cannot delete the UFS root");
    }
    Optional<FileStatus> st = stat(path);
    if (st.isEmpty()) {
      throw new UfsException(Kind.NOT_FOUND, path.toString(), "no such file or directory");
    }
    boolean deleted;
    try {
      // HDFS says PathIsNotEmptyDirectoryException, other Hadoop file systems only a plain IOException.
      if (!recursive && st.get().isDirectory() && fs.listStatusIterator(resolve(path)).hasNext()) {
        throw new UfsException(Kind.NOT_EMPTY, path.toString(), "directory not empty");
      }
      deleted = fs.delete(resolve(path), recursive);
    } catch (IOException e) {
      throw HdfsErrors.translate(e, path);
    }
    if (!deleted) {
      throw new UfsException(Kind.NOT_FOUND, path.toString(), "no such file or directory");
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
    if (stat(src).isEmpty()) {
      throw new UfsException(Kind.NOT_FOUND, src.toString(), "no such file or directory");
    }
    if (src.equals(dst)) {
      return;
    }
    makeParents(dst.parent());
    try {
      // Without OVERWRITE the namenode refuses an existing destination, atomically.
      fc.rename(resolve(src), resolve(dst), Options.Rename.NONE);
    } catch (IOException e) {
      UfsException u = HdfsErrors.translate(e, src);
      throw u.kind() == Kind.ALREADY_EXISTS
          ? new UfsException(Kind.ALREADY_EXISTS, dst.toString(), "already exists", e) : u;
    }
  }

  @Override
  public void mkdirs(UfsPath path) throws IOException {
    Optional<FileStatus> st = stat(path);
    if (st.isPresent()) {
      if (st.get().isDirectory()) {
        return;
      }
      throw new UfsException(Kind.ALREADY_EXISTS, path.toString(), "a file exists there");
    }
    makeParents(path);
  }

  @Override
  public void close() throws IOException {
    fs.close();
  }

  @Override
  public String toString() {
    return "HdfsUnderFileSystem[" + root + "]";
  }
}
