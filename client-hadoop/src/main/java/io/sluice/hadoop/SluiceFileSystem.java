package io.sluice.hadoop;

import io.sluice.client.ClientKeys;
import io.sluice.client.ClusterUsage;
import io.sluice.client.FileEditor;
import io.sluice.client.Mount;
import io.sluice.client.SluiceClient;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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

  /*
   * Hadoop finds this class by reflection, so it keeps every override, but a call with logic of its own lives in a
   * package-private helper sharing one CallContext: creates, appends and truncates, listings, namespace changes,
   * attributes, block locations. All are built in initialize, once the client is connected.
   */
  private URI uri;
  private Path workingDir;
  private String user;
  private long defaultBlockSize;
  private short defaultReplication;
  private SluiceClient client;
  private CallContext ctx;
  private CreateCalls creates;
  private EditCalls edits;
  private ListingCalls listings;
  private AttributeCalls attributes;
  private NamespaceCalls namespace;
  private BlockLocations blockLocations;
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
    this.ctx = new CallContext(client, this, statistics, ioStatistics);
    this.edits = new EditCalls(ctx);
    this.creates = new CreateCalls(ctx, edits);
    this.listings = new ListingCalls(ctx);
    this.attributes = new AttributeCalls(ctx);
    this.namespace = new NamespaceCalls(ctx);
    this.blockLocations = new BlockLocations(ctx);
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
      return new FSDataInputStream(new SluiceFsInputStream(client.open(ctx.pathOf(f)), f, statistics));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, f);
    }
  }

  @Override
  public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) throws IOException {
    return blockLocations.of(file, start, len);
  }

  /** Creates {@code f}, and its missing parents as HDFS does. */
  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    return creates.create(f, permission, overwrite, replication, blockSize, true);
  }

  /**
   * Creates {@code f} only when its parent exists. FileSystem's builder ({@code createFile(path).build()}) calls this
   * unless the caller asked for {@code recursive()}; the inherited version only throws.
   */
  @Override
  public FSDataOutputStream createNonRecursive(Path f, FsPermission permission, EnumSet<CreateFlag> flags,
      int bufferSize, short replication, long blockSize, Progressable progress) throws IOException {
    return creates.create(f, permission, flags, replication, blockSize, false);
  }

  /**
   * Creates {@code f} and its missing parents, or appends with {@link CreateFlag#APPEND} (see the class comment).
   * FileSystem's version drops every flag but OVERWRITE.
   */
  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, EnumSet<CreateFlag> flags, int bufferSize,
      short replication, long blockSize, Progressable progress, ChecksumOpt checksumOpt) throws IOException {
    return creates.create(f, permission, flags, replication, blockSize, true);
  }

  /**
   * Appends to the existing file {@code f}; what is written appears when the stream closes (see the class comment).
   *
   * @throws java.io.FileNotFoundException when {@code f} is missing or a directory
   * @throws UnsupportedOperationException when {@code f} is under a mount
   */
  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
    return edits.append(f);
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
    return edits.truncate(f, newLength);
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
        return !edits.underMount(ctx.pathOf(p));
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
    return HdfsRename.rename(client, ctx.pathOf(src), ctx.pathOf(dst), src, dst);
  }

  /**
   * @return false when nothing is at {@code f}, and for the root, which is never deleted (as in HDFS; a
   *     non-recursive delete of a non-empty root still fails as for any non-empty directory)
   */
  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    return namespace.delete(f, recursive);
  }

  /** Every entry, all pages fetched; a file lists as itself. */
  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    return listings.listStatus(f);
  }

  /** Lazily, a page at a time; a file lists as itself. */
  @Override
  public RemoteIterator<FileStatus> listStatusIterator(Path f) throws IOException {
    return listings.listStatusIterator(f);
  }

  /** Creates {@code f} and its missing parents with {@code permission} less the umask; true when it exists. */
  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    return namespace.mkdirs(f, permission);
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    statistics.incrementReadOps(1);
    ioStatistics.incrementCounter(StoreStatisticNames.OP_GET_FILE_STATUS);
    Path p = makeQualified(f);
    return FileStatusMapper.toFileStatus(ctx.statusOf(p), p);
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
    namespace.createSymlink(target, link, createParent);
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
    attributes.setPermission(p, permission);
  }

  /** Null leaves the owner or the group as it is. */
  @Override
  public void setOwner(Path p, String username, String groupname) throws IOException {
    attributes.setOwner(p, username, groupname);
  }

  /** Epoch milliseconds; -1 leaves a time as it is. */
  @Override
  public void setTimes(Path p, long mtime, long atime) throws IOException {
    attributes.setTimes(p, mtime, atime);
  }

  @Override
  public void setXAttr(Path path, String name, byte[] value, EnumSet<XAttrSetFlag> flag) throws IOException {
    attributes.setXAttr(path, name, value, flag);
  }

  /** @throws IOException (HDFS's message) when {@code name} is not set */
  @Override
  public byte[] getXAttr(Path path, String name) throws IOException {
    return attributes.getXAttr(path, name);
  }

  @Override
  public Map<String, byte[]> getXAttrs(Path path) throws IOException {
    return attributes.getXAttrs(path);
  }

  /** @throws IOException (HDFS's message) when any of {@code names} is not set */
  @Override
  public Map<String, byte[]> getXAttrs(Path path, List<String> names) throws IOException {
    return attributes.getXAttrs(path, names);
  }

  @Override
  public List<String> listXAttrs(Path path) throws IOException {
    return attributes.listXAttrs(path);
  }

  @Override
  public void removeXAttr(Path path, String name) throws IOException {
    attributes.removeXAttr(path, name);
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
}
