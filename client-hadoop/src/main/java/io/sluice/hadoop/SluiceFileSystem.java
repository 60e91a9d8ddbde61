package io.sluice.hadoop;

import io.sluice.client.ClientKeys;
import io.sluice.client.ClusterUsage;
import io.sluice.client.CreateOptions;
import io.sluice.client.FileEditor;
import io.sluice.client.Mount;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.HadoopIllegalArgumentException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.Options.ChecksumOpt;
import org.apache.hadoop.fs.XAttrSetFlag;
import org.apache.hadoop.fs.impl.PathCapabilitiesSupport;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;
import org.apache.hadoop.fs.statistics.impl.IOStatisticsStore;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.util.Progressable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hadoop's {@link FileSystem} for {@code sluice://} URIs, a thin translation to {@link SluiceClient} (STYLE 9):
 * paths are made absolute, options translated, results converted ({@link FileStatusMapper}) and errors mapped
 * ({@link ErrorMapper}). Registered through {@code META-INF/services}, so {@code fs.sluice.impl} need not be set.
 * {@code FileContext} users set {@code fs.AbstractFileSystem.sluice.impl} to {@link SluiceAbstractFileSystem}.
 *
 * <h2>Configuration (core-site.xml, {@code -D}, Spark's {@code spark.hadoop.*})</h2>
 * Every {@code sluice.*} key of the Hadoop {@link Configuration} is read with the same name and meaning as in
 * {@code conf/sluice.properties} (DESIGN §7); nothing else is read (see {@link HadoopSluiceConf}). The ones a job
 * usually sets:
 * <ul>
 *   <li>{@code sluice.master.addresses}: {@code host:port,...} of all masters. The URI {@code sluice:///path} uses
 *       it as is; {@code sluice://host:port/path} connects to that master (port 7070 when omitted), keeping the
 *       configured list when the master is in it, so failover still works.
 *   <li>{@code sluice.user.name}: the user presented to the masters; when unset, Hadoop's current user
 *       ({@link UserGroupInformation}, so {@code HADOOP_USER_NAME} counts), as HDFS does with SIMPLE auth.
 *   <li>{@code sluice.user.block.size} (default 64m) and {@code sluice.user.replicas} (default 1): what
 *       {@link #getDefaultBlockSize(Path)} and {@link #getDefaultReplication(Path)} report and what
 *       {@code create} uses when the caller does not say.
 *   <li>{@code sluice.rpc.call.timeout}, {@code sluice.rpc.connect.timeout}, {@code sluice.user.read.*},
 *       {@code sluice.user.write.chunk.size}, {@code sluice.user.list.page.size}: as for the Java client.
 *   <li>{@code sluice.user.edit.dir}: where {@code append} keeps the blocks it changes until the stream closes
 *       (up to a block size each; default: {@code java.io.tmpdir}), so appended bytes are not held on the heap.
 * </ul>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Writes are visible on close only (close-to-open); streams are not {@code Syncable}. {@code concat} throws
 *       {@link UnsupportedOperationException} (see {@link #concat}).
 *   <li>{@code append} changes the file in place ({@link FileEditor}): the bytes written land at its end and
 *       appear, all at once, when the stream closes. There is no lease: two writers may append at once, and the
 *       one closing second fails with an {@link IOException} (STALE) and appends nothing. A missing file, a
 *       directory or a path through a file is a {@link java.io.FileNotFoundException}, as in HDFS.
 *       {@code create} with {@link CreateFlag#APPEND} appends when the file exists and, with
 *       {@link CreateFlag#CREATE}, creates it when it does not.
 *   <li>{@code truncate} shrinks a file at once and returns true (there is no block recovery to wait for). A
 *       missing file or a directory is a {@link java.io.FileNotFoundException}; a negative or larger length is a
 *       {@link HadoopIllegalArgumentException}, as in HDFS, which grows files only by appending.
 *   <li>Files under a mount can only be rewritten whole (create with overwrite): their UFS copy cannot be changed
 *       in place. {@code append} and {@code truncate} there throw {@link UnsupportedOperationException}, as
 *       FileSystem does for a file system without them, and {@link #hasPathCapability} reports
 *       {@link CommonPathCapabilities#FS_APPEND} and {@link CommonPathCapabilities#FS_TRUNCATE} only outside
 *       mounts, so callers can ask first.
 *   <li>{@code rename} follows HDFS: false when the source is missing, the destination exists as a file, or its
 *       parent is missing; into an existing directory it moves the source under it.
 *   <li>{@code delete} of the root returns false (the root is never deleted), as in HDFS.
 *   <li>Symlinks are reported as such ({@link FileStatus#isSymlink()}), never followed.
 *   <li>{@code getFileBlockLocations} gives each block's range and the hosts of the live workers caching it, so
 *       schedulers can place tasks next to the data; a block no worker holds has no host.
 * </ul>
 */
public class SluiceFileSystem extends FileSystem implements IOStatisticsSource {
  /** The URI scheme. */
  public static final String SCHEME = "sluice";
  private static final Logger LOG = LoggerFactory.getLogger(SluiceFileSystem.class);
  /** HDFS's error text for an absent xattr, which callers may match on. */
  private static final String XATTR_NOT_FOUND = "At least one of the attributes provided was not found.";

  private URI uri;
  private Path workingDir;
  private String user;
  private long defaultBlockSize;
  private short defaultReplication;
  private SluiceClient client;
  /** Operation counts under Hadoop's names ({@link SluiceIOStatistics}); streams keep their own. */
  private final IOStatisticsStore ioStatistics = SluiceIOStatistics.forFileSystem();

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    setConf(conf);
    this.uri = URI.create(SCHEME + "://" + (name.getAuthority() == null ? "" : name.getAuthority()) + "/");
    SluiceConf sluice = HadoopSluiceConf.from(name, conf, UserGroupInformation.getCurrentUser().getShortUserName());
    this.user = sluice.get(CommonKeys.USER_NAME);
    this.defaultBlockSize = sluice.get(ClientKeys.BLOCK_SIZE);
    this.defaultReplication = sluice.get(ClientKeys.REPLICAS).shortValue();
    try {
      this.client = SluiceClient.connect(sluice);
    } catch (IllegalArgumentException e) {
      // A bad sluice.* value: the message names the key and where it came from.
      throw new IOException(name + ": " + e.getMessage(), e);
    }
    this.workingDir = getHomeDirectory();
    FsStatisticsMetrics.bindGlobalOnce();
    LOG.debug("{} connected to {} as {}", uri, sluice.get(CommonKeys.MASTER_ADDRESSES), user);
  }

  @Override
  public URI getUri() {
    return uri;
  }

  @Override
  protected int getDefaultPort() {
    return HadoopSluiceConf.DEFAULT_PORT;
  }

  /** No delegation tokens: identity is the SIMPLE user name (DESIGN §6). */
  @Override
  public String getCanonicalServiceName() {
    return null;
  }

  @Override
  public Path getHomeDirectory() {
    return makeQualified(new Path(USER_HOME_PREFIX + "/" + user));
  }

  @Override
  public Path getWorkingDirectory() {
    return workingDir;
  }

  @Override
  public void setWorkingDirectory(Path dir) {
    workingDir = makeQualified(dir);
  }

  @Override
  public long getDefaultBlockSize(Path f) {
    return defaultBlockSize;
  }

  @Override
  public short getDefaultReplication(Path f) {
    return defaultReplication;
  }

  /**
   * As {@link #getDefaultBlockSize(Path)}. Deprecated in Hadoop but still called by older tools, which would
   * otherwise see {@code fs.local.block.size}.
   */
  @Deprecated
  @Override
  public long getDefaultBlockSize() {
    return defaultBlockSize;
  }

  /** As {@link #getDefaultReplication(Path)}; deprecated in Hadoop but still called by older tools. */
  @Deprecated
  @Override
  public short getDefaultReplication() {
    return defaultReplication;
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    statistics.incrementReadOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_OPEN);
    try {
      return new FSDataInputStream(new SluiceFsInputStream(client.open(pathOf(f)), f, statistics));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, f);
    }
  }

  @Override
  public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) throws IOException {
    if (file == null) {
      return null;  // FileSystem's contract
    }
    if (start < 0 || len < 0) {
      throw new IllegalArgumentException("Invalid start or len parameter");
    }
    if (file.getLen() <= start || file.isDirectory()) {
      return new BlockLocation[0];
    }
    statistics.incrementReadOps(1);
    List<BlockInfo> blocks;
    try {
      blocks = client.getBlockLocations(pathOf(file.getPath()));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, file.getPath());
    }
    List<BlockLocation> out = new ArrayList<>();
    long offset = 0;
    long end = start + len;
    for (BlockInfo b : blocks) {
      long blockEnd = offset + b.getLength();
      if (blockEnd > start && offset < end) {
        String[] names = b.getLocationsList().stream()
            .map(l -> l.getAddress().getHost() + ":" + l.getAddress().getDataPort()).toArray(String[]::new);
        String[] hosts = b.getLocationsList().stream().map(l -> l.getAddress().getHost()).toArray(String[]::new);
        out.add(new BlockLocation(names, hosts, offset, b.getLength()));
      }
      offset = blockEnd;
    }
    return out.toArray(new BlockLocation[0]);
  }

  /** Creates {@code f}, and its missing parents as HDFS does. */
  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    return create(f, permission, overwrite, replication, blockSize, true);
  }

  /**
   * Creates {@code f} only when its parent exists. FileSystem's builder ({@code createFile(path).build()}) calls this
   * unless the caller asked for {@code recursive()}; the inherited version only throws.
   */
  @Override
  public FSDataOutputStream createNonRecursive(Path f, FsPermission permission, EnumSet<CreateFlag> flags,
      int bufferSize, short replication, long blockSize, Progressable progress) throws IOException {
    return create(f, permission, flags, replication, blockSize, false);
  }

  /**
   * Creates {@code f} and its missing parents, or appends with {@link CreateFlag#APPEND} (see the class comment).
   * FileSystem's version drops every flag but OVERWRITE.
   */
  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, EnumSet<CreateFlag> flags, int bufferSize,
      short replication, long blockSize, Progressable progress, ChecksumOpt checksumOpt) throws IOException {
    return create(f, permission, flags, replication, blockSize, true);
  }

  /** HDFS's semantics for the flags: APPEND with OVERWRITE is refused, APPEND without CREATE needs the file. */
  private FSDataOutputStream create(Path f, FsPermission permission, EnumSet<CreateFlag> flags, short replication,
      long blockSize, boolean recursive) throws IOException {
    if (!flags.contains(CreateFlag.APPEND)) {
      return create(f, permission, flags.contains(CreateFlag.OVERWRITE), replication, blockSize, recursive);
    }
    CreateFlag.validate(flags);
    if (!flags.contains(CreateFlag.CREATE)) {
      return append(f, 0, null);
    }
    FileEditor editor;
    try {
      editor = client.edit(pathOf(f));
    } catch (RpcException e) {
      if (e.status() == Status.NOT_FOUND) {
        // Created afresh; should another client create it meanwhile, this fails as any create would.
        return create(f, permission, false, replication, blockSize, recursive);
      }
      boolean inTheWay = e.status() == Status.IS_DIRECTORY || e.status() == Status.NOT_DIRECTORY;
      // A directory at the path or a file above it stops the create as it would a plain create.
      throw inTheWay ? ErrorMapper.create(e, f) : notEditable(e, f, "append");
    }
    // Counted here, not above: the create a missing file gets counts itself.
    statistics.incrementWriteOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_APPEND);
    return appendStream(editor, f);
  }

  private FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, short replication,
      long blockSize, boolean recursive) throws IOException {
    statistics.incrementWriteOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_CREATE);
    CreateOptions options = CreateOptions.defaults().withMode(maskedMode(permission)).withOverwrite(overwrite)
        .withRecursive(recursive).withBlockSize(Math.max(0, blockSize)).withReplicas(Math.max(0, replication));
    try {
      return new FSDataOutputStream(new SluiceFsOutputStream(client.create(pathOf(f), options), f), statistics);
    } catch (RpcException e) {
      throw ErrorMapper.create(e, f);
    }
  }

  /**
   * Appends to the existing file {@code f}; what is written appears when the stream closes (see the class comment).
   *
   * @throws java.io.FileNotFoundException when {@code f} is missing or a directory
   * @throws UnsupportedOperationException when {@code f} is under a mount
   */
  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
    statistics.incrementWriteOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_APPEND);
    return appendStream(edit(f, "append"), f);
  }

  /** The stream reports positions in the file, from its end on, as HDFS's append stream does. */
  private FSDataOutputStream appendStream(FileEditor editor, Path f) throws IOException {
    return new FSDataOutputStream(new SluiceAppendStream(editor, f), statistics, editor.length());
  }

  /**
   * Cuts {@code f} to {@code newLength} bytes at once; readers that open it afterwards see the shorter file.
   *
   * @return true: the file has its new length when this returns
   * @throws java.io.FileNotFoundException when {@code f} is missing or a directory
   * @throws HadoopIllegalArgumentException when {@code newLength} is negative or more than the file's length
   * @throws UnsupportedOperationException when {@code f} is under a mount
   */
  @Override
  public boolean truncate(Path f, long newLength) throws IOException {
    if (newLength < 0) {
      throw new HadoopIllegalArgumentException(f + ": cannot truncate to a negative file size: " + newLength);
    }
    statistics.incrementWriteOps(1);
    FileEditor editor = edit(f, "truncate");
    try (editor) {
      if (newLength > editor.length()) {
        throw new HadoopIllegalArgumentException(f + ": cannot truncate to a larger file size. Current size: "
            + editor.length() + ", truncate size: " + newLength);
      }
      editor.truncate(newLength);
    } catch (RpcException e) {
      throw ErrorMapper.edit(e, f);
    }
    return true;
  }

  /** An editor of the complete file {@code f}, for {@code operation}. */
  private FileEditor edit(Path f, String operation) throws IOException {
    try {
      return client.edit(pathOf(f));
    } catch (RpcException e) {
      throw notEditable(e, f, operation);
    }
  }

  /**
   * The exception for an editor refused: the master answers INVALID_ARGUMENT both for a file under a mount and for
   * one still being written, so only the file's status tells which (asked on this failure path only).
   */
  private IOException notEditable(RpcException e, Path f, String operation) {
    if (e.status() == Status.INVALID_ARGUMENT) {
      try {
        if (client.getStatus(pathOf(f)).getMountId() != 0) {
          throw ErrorMapper.underMount(e, f, operation);
        }
      } catch (RpcException lookup) {
        e.addSuppressed(lookup);
      }
    }
    return ErrorMapper.edit(e, f);
  }

  /**
   * Adds {@link CommonPathCapabilities#FS_APPEND} and {@link CommonPathCapabilities#FS_TRUNCATE}, true outside
   * mounts (see the class comment), and {@link CommonPathCapabilities#FS_CONCAT}, never true, to FileSystem's
   * answers.
   */
  @Override
  public boolean hasPathCapability(Path path, String capability) throws IOException {
    Path p = makeQualified(path);
    switch (PathCapabilitiesSupport.validatePathCapabilityArgs(p, capability)) {
      case CommonPathCapabilities.FS_APPEND:
      case CommonPathCapabilities.FS_TRUNCATE:
        return !underMount(pathOf(p));
      case CommonPathCapabilities.FS_CONCAT:
        return false;
      default:
        return super.hasPathCapability(p, capability);
    }
  }

  /** Every mount, as the master has them now (for {@link CachingShimFileSystem}). */
  List<Mount> mounts() throws RpcException {
    return client.mounts();
  }

  /** Whether {@code path} is a mount point or below one; asks the master for its mounts. */
  private boolean underMount(String path) throws IOException {
    try {
      for (Mount m : client.mounts()) {
        String point = m.path();
        if (path.equals(point) || path.startsWith(point.endsWith("/") ? point : point + "/")) {
          return true;
        }
      }
      return false;
    } catch (RpcException e) {
      throw ErrorMapper.map(e, new Path(path));
    }
  }

  /**
   * Not supported: joining files without copying needs a master operation that moves blocks between inodes, which
   * Sluice's journal does not have (yet). {@link #hasPathCapability} reports
   * {@link CommonPathCapabilities#FS_CONCAT} false, so callers can ask first.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public void concat(Path trg, Path[] psrcs) throws IOException {
    throw new UnsupportedOperationException("concat is not supported by sluice:// (no master operation joins "
        + "files' blocks); copy the sources into " + trg + " instead");
  }

  @Override
  public IOStatisticsStore getIOStatistics() {
    return ioStatistics;
  }

  /** Renames with HDFS's semantics ({@link HdfsRename}). */
  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    statistics.incrementWriteOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_RENAME);
    return HdfsRename.rename(client, pathOf(src), pathOf(dst), src, dst);
  }

  /**
   * @return false when nothing is at {@code f}, and for the root, which is never deleted (as in HDFS; a
   *     non-recursive delete of a non-empty root still fails as for any non-empty directory)
   */
  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    statistics.incrementWriteOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_DELETE);
    String path = pathOf(f);
    try {
      if (path.equals("/")) {
        if (!recursive && client.listStatus(path).iterator().hasNext()) {
          throw new PathIsNotEmptyDirectoryException(makeQualified(f).toString());
        }
        return false;
      }
      client.delete(path, recursive);
      return true;
    } catch (RpcException e) {
      if (e.status() == Status.NOT_FOUND || e.status() == Status.NOT_DIRECTORY) {
        return false;
      }
      throw ErrorMapper.map(e, f);
    }
  }

  /** Every entry, all pages fetched; a file lists as itself. */
  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    statistics.incrementReadOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_LIST_STATUS);
    Path dir = makeQualified(f);
    try {
      List<FileInfo> entries = client.listStatusAll(pathOf(dir));
      if (listsItself(dir, entries)) {
        return new FileStatus[] {FileStatusMapper.toFileStatus(entries.get(0), dir)};
      }
      FileStatus[] out = new FileStatus[entries.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = FileStatusMapper.toFileStatus(entries.get(i), new Path(dir, entries.get(i).getName()));
      }
      return out;
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, f);
    }
  }

  /** Lazily, a page at a time; a file lists as itself. */
  @Override
  public RemoteIterator<FileStatus> listStatusIterator(Path f) throws IOException {
    statistics.incrementReadOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_LIST_STATUS);
    Path dir = makeQualified(f);
    try {
      Iterator<FileInfo> rest = client.listStatus(pathOf(dir)).iterator();
      // The first page is in memory already, so looking at its first two entries costs nothing.
      List<FileInfo> head = new ArrayList<>(2);
      while (head.size() < 2 && rest.hasNext()) {
        head.add(rest.next());
      }
      if (listsItself(dir, head)) {
        return ListingIterator.of(FileStatusMapper.toFileStatus(head.get(0), dir));
      }
      return new ListingIterator(head, rest, dir);
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, f);
    } catch (UncheckedIOException e) {
      // A second page (page size 1) that failed to load.
      throw e.getCause() instanceof RpcException rpc ? ErrorMapper.lookup(rpc, f) : e.getCause();
    }
  }

  /**
   * Whether a listing of {@code dir} is the file {@code dir} itself, which is how Sluice lists a file. A directory
   * holding one file of its own name looks the same, so only then is the master asked what {@code dir} is.
   */
  private boolean listsItself(Path dir, List<FileInfo> firstEntries) throws IOException {
    if (firstEntries.size() != 1) {
      return false;
    }
    FileInfo only = firstEntries.get(0);
    return only.getType() != FileType.DIRECTORY && only.getName().equals(dir.getName())
        && statusOf(dir).getType() != FileType.DIRECTORY;
  }

  /** Creates {@code f} and its missing parents with {@code permission} less the umask; true when it exists. */
  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    statistics.incrementWriteOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_MKDIRS);
    try {
      client.mkdir(pathOf(f), true, maskedMode(permission));
      return true;
    } catch (RpcException e) {
      throw ErrorMapper.map(e, f);
    }
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    statistics.incrementReadOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_GET_FILE_STATUS);
    Path p = makeQualified(f);
    return FileStatusMapper.toFileStatus(statusOf(p), p);
  }

  /** The same as {@link #getFileStatus}: Sluice never follows symlinks. */
  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    return getFileStatus(f);
  }

  @Override
  public boolean supportsSymlinks() {
    return true;
  }

  /** Creates {@code link} pointing at {@code target}, stored as given. */
  @Override
  public void createSymlink(Path target, Path link, boolean createParent) throws IOException {
    statistics.incrementWriteOps(1);
    try {
      if (createParent && link.getParent() != null) {
        client.mkdir(pathOf(link.getParent()), true);
      }
      client.createSymlink(pathOf(link), target.toString());
    } catch (RpcException e) {
      throw ErrorMapper.map(e, link);
    }
  }

  @Override
  public Path getLinkTarget(Path f) throws IOException {
    FileStatus status = getFileLinkStatus(f);
    if (!status.isSymlink()) {
      throw new IOException(f + " is not a symbolic link");
    }
    return status.getSymlink();
  }

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    statistics.incrementWriteOps(1);
    try {
      client.setMode(pathOf(p), permission.toShort() & 07777);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, p);
    }
  }

  /** Null leaves the owner or the group as it is. */
  @Override
  public void setOwner(Path p, String username, String groupname) throws IOException {
    statistics.incrementWriteOps(1);
    try {
      client.setOwner(pathOf(p), username, groupname);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, p);
    }
  }

  /** Epoch milliseconds; -1 leaves a time as it is. */
  @Override
  public void setTimes(Path p, long mtime, long atime) throws IOException {
    statistics.incrementWriteOps(1);
    try {
      client.setTimes(pathOf(p), mtime, atime);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, p);
    }
  }

  @Override
  public void setXAttr(Path path, String name, byte[] value, EnumSet<XAttrSetFlag> flag) throws IOException {
    statistics.incrementWriteOps(1);
    SetXattrRequest.Mode mode;
    if (flag.contains(XAttrSetFlag.CREATE) && flag.contains(XAttrSetFlag.REPLACE)) {
      mode = SetXattrRequest.Mode.ANY;
    } else if (flag.contains(XAttrSetFlag.REPLACE)) {
      mode = SetXattrRequest.Mode.REPLACE;
    } else {
      mode = SetXattrRequest.Mode.CREATE;
    }
    try {
      client.setXattr(pathOf(path), name, value == null ? new byte[0] : value, mode);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }

  /** @throws IOException (HDFS's message) when {@code name} is not set */
  @Override
  public byte[] getXAttr(Path path, String name) throws IOException {
    byte[] value = getXAttrs(path).get(name);
    if (value == null) {
      throw new IOException(XATTR_NOT_FOUND + " " + path + ": " + name);
    }
    return value;
  }

  @Override
  public Map<String, byte[]> getXAttrs(Path path) throws IOException {
    statistics.incrementReadOps(1);
    try {
      return client.getXattrs(pathOf(path));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, path);
    }
  }

  /** @throws IOException (HDFS's message) when any of {@code names} is not set */
  @Override
  public Map<String, byte[]> getXAttrs(Path path, List<String> names) throws IOException {
    Map<String, byte[]> all = getXAttrs(path);
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : names) {
      byte[] value = all.get(name);
      if (value == null) {
        throw new IOException(XATTR_NOT_FOUND + " " + path + ": " + name);
      }
      out.put(name, value);
    }
    return out;
  }

  @Override
  public List<String> listXAttrs(Path path) throws IOException {
    return new ArrayList<>(getXAttrs(path).keySet());
  }

  @Override
  public void removeXAttr(Path path, String name) throws IOException {
    statistics.incrementWriteOps(1);
    try {
      client.removeXattr(pathOf(path), name);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }

  /** Cache capacity and use summed over the live workers. */
  @Override
  public FsStatus getStatus(Path p) throws IOException {
    statistics.incrementReadOps(1);
    try {
      ClusterUsage usage = client.usage();
      return new FsStatus(usage.capacityBytes(), usage.usedBytes(), usage.freeBytes());
    } catch (RpcException e) {
      throw ErrorMapper.map(e, p == null ? new Path("/") : p);
    }
  }

  /** Runs {@code deleteOnExit} deletions, then closes the connections. */
  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  @Override
  public String toString() {
    return "SluiceFileSystem{" + uri + ", user=" + user + "}";
  }

  private FileInfo statusOf(Path qualified) throws IOException {
    try {
      return client.getStatus(pathOf(qualified));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, qualified);
    }
  }

  /**
   * The Sluice path of {@code p}: qualified against the working directory, checked to belong to this file system.
   */
  private String pathOf(Path p) {
    return makeQualified(p).toUri().getPath();
  }

  /** {@code permission} less the configured umask ({@code fs.permissions.umask-mode}), as HDFS clients apply it. */
  private int maskedMode(FsPermission permission) {
    FsPermission p = permission == null ? FsPermission.getFileDefault() : permission;
    return p.applyUMask(FsPermission.getUMask(getConf())).toShort() & 07777;
  }
}
