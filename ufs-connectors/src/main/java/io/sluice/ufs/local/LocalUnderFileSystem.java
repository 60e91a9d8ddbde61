package io.sluice.ufs.local;

import io.sluice.ufs.StagingName;
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
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A directory of the local file system (or any POSIX mount: NFS, a FUSE file system) as a UFS. Renames are
 * rename(2), hence atomic; creates write a staging sibling and rename it (see {@link LocalOutputStream}).
 *
 * <p>Containment: a {@link UfsPath} cannot name anything outside the root, but a symbolic link inside the root can
 * point outside it. Every operation therefore resolves the real path of the deepest existing ancestor and refuses,
 * with PERMISSION_DENIED, a path that a link leads out of the root.
 */
public final class LocalUnderFileSystem implements UnderFileSystem {
  private static final Set<UfsCapability> CAPABILITIES =
      Set.copyOf(EnumSet.of(UfsCapability.ATOMIC_RENAME, UfsCapability.DIRECTORIES));

  private final URI uri;
  private final Path root;

  /** @param root an existing directory; taken by its real path */
  public LocalUnderFileSystem(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new UfsException(Kind.NOT_FOUND, root.toString(), "local UFS root is not a directory");
    }
    this.root = root.toRealPath();
    this.uri = this.root.toUri();
  }

  @Override
  public URI root() {
    return uri;
  }

  @Override
  public Set<UfsCapability> capabilities() {
    return CAPABILITIES;
  }

  /** The local file for {@code path}, refused if a symbolic link on the way leads out of the root. */
  private Path resolve(UfsPath path) throws UfsException {
    Path p = root;
    for (String name : path.segments()) {
      p = p.resolve(name);
    }
    // Defence in depth: UfsPath already rules out every segment that could make this fail.
    if (!p.normalize().startsWith(root)) {
      throw new UfsException(Kind.INVALID_ARGUMENT, path.toString(), "path escapes the UFS root");
    }
    Path existing = p;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing != null && !existing.equals(root)) {
      try {
        if (Files.exists(existing) && !existing.toRealPath().startsWith(root)) {
          throw new UfsException(Kind.PERMISSION_DENIED, path.toString(),
              "a symbolic link leads out of the UFS root");
        }
      } catch (IOException e) {
        throw LocalErrors.translate(e, path);
      }
    }
    return p;
  }

  @Override
  public Optional<UfsStatus> getStatus(UfsPath path) throws IOException {
    Path p = resolve(path);
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Optional.empty();
    } catch (IOException e) {
      UfsException u = LocalErrors.translate(e, path);
      if (u.kind() == Kind.NOT_DIRECTORY) {
        return Optional.empty();
      }
      throw u;
    }
    return Optional.of(status(path, a));
  }

  private static UfsStatus status(UfsPath path, BasicFileAttributes a) {
    long mtime = a.lastModifiedTime().toMillis();
    if (a.isDirectory()) {
      return UfsStatus.directory(path, mtime);
    }
    // Nanosecond mtime and the inode: every create is a new inode (staging + rename), so an overwrite within one
    // clock tick with the same length still changes the fingerprint.
    long nanos = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    return UfsStatus.file(path, a.size(), mtime, a.size() + "@" + nanos + "#" + a.fileKey());
  }

  @Override
  public UfsListing list(UfsPath dir, String cursor, int limit) throws IOException {
    if (limit < 1) {
      throw new UfsException(Kind.INVALID_ARGUMENT, dir.toString(), "listing limit must be positive: " + limit);
    }
    Path p = resolve(dir);
    requireDirectory(dir, p);
    // The directory is read in whatever order the OS gives; keep only the limit + 1 smallest names after the
    // cursor (a max-heap), so memory stays bounded by the page size and the extra one tells whether more follow.
    PriorityQueue<String> smallest = new PriorityQueue<>(Comparator.reverseOrder());
    try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
      for (Path child : children) {
        String name = child.getFileName().toString();
        if (name.compareTo(cursor) <= 0 || StagingName.isStaging(name)) {
          continue;
        }
        if (smallest.size() <= limit) {
          smallest.add(name);
        } else if (name.compareTo(smallest.peek()) < 0) {
          smallest.poll();
          smallest.add(name);
        }
      }
    } catch (IOException e) {
      throw LocalErrors.translate(e, dir);
    }
    boolean more = smallest.size() > limit;
    if (more) {
      smallest.poll();
    }
    List<String> names = new ArrayList<>(smallest);
    names.sort(null);
    List<UfsStatus> entries = new ArrayList<>(names.size());
    for (String name : names) {
      try {
        entries.add(status(dir.child(name), Files.readAttributes(p.resolve(name), BasicFileAttributes.class)));
      } catch (NoSuchFileException e) {
        // Deleted since it was listed; a listing is not a snapshot.
      } catch (UfsException e) {
        // A local name that is not a valid UfsPath segment (e.g. with a backslash) cannot be addressed: skip it.
      }
    }
    return new UfsListing(entries, more ? names.get(names.size() - 1) : "");
  }

  private static void requireDirectory(UfsPath path, Path p) throws UfsException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class);
    } catch (IOException e) {
      UfsException u = LocalErrors.translate(e, path);
      throw u.kind() == Kind.NOT_DIRECTORY ? new UfsException(Kind.NOT_FOUND, path.toString(), "not found", e) : u;
    }
    if (!a.isDirectory()) {
      throw new UfsException(Kind.NOT_DIRECTORY, path.toString(), "not a directory");
    }
  }

  @Override
  public InputStream open(UfsPath path, long offset, long length) throws IOException {
    if (offset < 0) {
      throw new UfsException(Kind.INVALID_ARGUMENT, path.toString(), "negative offset " + offset);
    }
    Path p = resolve(path);
    if (Files.isDirectory(p)) {
      throw new UfsException(Kind.IS_DIRECTORY, path.toString(), "is a directory");
    }
    try {
      return new FileRangeStream(FileChannel.open(p, StandardOpenOption.READ), offset, length);
    } catch (IOException e) {
      UfsException u = LocalErrors.translate(e, path);
      // Reading "file/x": there is no such file.
      throw u.kind() == Kind.NOT_DIRECTORY ? new UfsException(Kind.NOT_FOUND, path.toString(), "not found", e) : u;
    }
  }

  @Override
  public UfsOutputStream create(UfsPath path, boolean overwrite) throws IOException {
    if (path.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, "", "cannot create a file at the UFS root");
    }
    Path p = resolve(path);
    try {
      if (Files.isDirectory(p)) {
        throw new UfsException(Kind.IS_DIRECTORY, path.toString(), "is a directory");
      }
      if (!overwrite && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new UfsException(Kind.ALREADY_EXISTS, path.toString(), "file exists");
      }
      makeParents(path.parent());
      return new LocalOutputStream(path, p, p.resolveSibling(StagingName.forName(path.name())), overwrite);
    } catch (IOException e) {
      throw LocalErrors.translate(e, path);
    }
  }

  /** Creates {@code dir} and its ancestors; NOT_DIRECTORY if one of them is a file. */
  private void makeParents(UfsPath dir) throws IOException {
    Path p = resolve(dir);
    if (Files.isDirectory(p)) {
      return;
    }
    try {
      Files.createDirectories(p);
    } catch (FileAlreadyExistsException e) {
      throw new UfsException(Kind.NOT_DIRECTORY, dir.toString(), "a file is in the way of a directory", e);
    } catch (IOException e) {
      throw LocalErrors.translate(e, dir);
    }
  }

  @Override
  public void delete(UfsPath path, boolean recursive) throws IOException {
    if (path.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, "", "cannot delete the UFS root");
    }
    Path p = resolve(path);
    try {
      if (recursive && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(p);
      } else {
        Files.delete(p);
      }
    } catch (IOException e) {
      UfsException u = LocalErrors.translate(e, path);
      throw u.kind() == Kind.NOT_DIRECTORY ? new UfsException(Kind.NOT_FOUND, path.toString(), "not found", e) : u;
    }
  }

  /** Deletes a tree bottom-up without following links, so a link to elsewhere loses only itself. */
  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public void rename(UfsPath src, UfsPath dst) throws IOException {
    if (src.isRoot() || dst.isRoot()) {
      throw new UfsException(Kind.INVALID_ARGUMENT, src.toString(), "cannot rename the UFS root");
    }
    if (src.isAncestorOf(dst)) {
      throw new UfsException(Kind.INVALID_ARGUMENT, src.toString(), "cannot move into its own subtree " + dst);
    }
    Path from = resolve(src);
    Path to = resolve(dst);
    if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
      throw new UfsException(Kind.NOT_FOUND, src.toString(), "no such file or directory");
    }
    if (src.equals(dst)) {
      return;
    }
    // rename(2) would silently replace an existing file: check first (a racing create can still lose).
    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      throw new UfsException(Kind.ALREADY_EXISTS, dst.toString(), "already exists");
    }
    makeParents(dst.parent());
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw LocalErrors.translate(e, src);
    }
  }

  @Override
  public void mkdirs(UfsPath path) throws IOException {
    Path p = resolve(path);
    if (Files.isDirectory(p)) {
      return;
    }
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new UfsException(Kind.ALREADY_EXISTS, path.toString(), "a file exists there");
    }
    makeParents(path);
  }

  @Override
  public void close() {
    // Nothing held open between calls.
  }

  @Override
  public String toString() {
    return "LocalUnderFileSystem[" + root + "]";
  }
}
