package io.sluice.client.testing;

import com.google.protobuf.Message;
import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AddBlockResponse;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.CompleteFileResponse;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateFileResponse;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.DeleteResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetBlockLocationsRequest;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.GetMountsResponse;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.MountResponse;
import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.RenameResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.proto.UnmountRequest;
import io.sluice.common.proto.UnmountResponse;
import io.sluice.common.proto.WorkerSummary;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcHandler;
import io.sluice.common.rpc.ServerCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * An in-memory master for client tests: a sorted map from path to inode, real statuses for the namespace errors
 * the client must surface, paged listings, and block placement on the given workers in order (skipping excluded
 * ones). Locations of a block are its write pipeline unless a test overrides them. Mounts are a table only: a
 * test adds UFS-backed files under them with {@link #addUfsFile}, nothing is listed from the UFS. All methods are
 * synchronized: calls arrive on event loops and tests inspect state from their own thread.
 */
public final class FakeMaster implements RpcHandler {
  private static final long DEFAULT_BLOCK_SIZE = 64L << 20;

  private final NavigableMap<String, FileInfo.Builder> inodes = new TreeMap<>();
  private final Map<Long, List<BlockLocation>> locations = new HashMap<>();
  private final List<BlockLocation> workers;
  private final List<AddBlockRequest> addBlockCalls = new ArrayList<>();
  private final List<CreateFileRequest> createCalls = new ArrayList<>();
  private final List<MountRequest> mountCalls = new ArrayList<>();
  private final List<GetBlockLocationsRequest> locationCalls = new ArrayList<>();
  private final NavigableMap<Long, MountInfo> mounts = new TreeMap<>();
  private final Map<Long, UfsBlockSource> ufsSources = new HashMap<>();
  private long nextMountId = 100;
  private int getMountsCalls;
  private long nextId = 1;
  private int defaultListLimit = 1000;

  public FakeMaster(List<BlockLocation> workers) {
    this.workers = List.copyOf(workers);
    inodes.put("/", dir("/").setId(nextId++));
  }

  /** Page size used when a listing asks for limit 0. */
  public synchronized void setDefaultListLimit(int limit) {
    defaultListLimit = limit;
  }

  /** Every ADD_BLOCK request received, in order. */
  public synchronized List<AddBlockRequest> addBlockCalls() {
    return List.copyOf(addBlockCalls);
  }

  /** The CREATE_FILE requests answered, in order. */
  public synchronized List<CreateFileRequest> createCalls() {
    return List.copyOf(createCalls);
  }

  /** Every MOUNT request received, in order. */
  public synchronized List<MountRequest> mountCalls() {
    return List.copyOf(mountCalls);
  }

  /** Every GET_BLOCK_LOCATIONS request received, in order. */
  public synchronized List<GetBlockLocationsRequest> locationCalls() {
    return List.copyOf(locationCalls);
  }

  /** GET_MOUNTS calls received. */
  public synchronized int getMountsCalls() {
    return getMountsCalls;
  }

  /**
   * Adds a complete file at {@code path} (under a mount) backed by {@code ufsPath} on mount {@code mountId}, cut
   * into blocks of {@code blockSize}, each with its UFS source and no location until a test sets some.
   *
   * @return the block ids in order
   */
  public synchronized List<Long> addUfsFile(String path, long mountId, String ufsPath, long length, long blockSize,
      String fingerprint) throws RpcException {
    FileInfo.Builder parent = parentDir(path, true);
    FileInfo.Builder f = FileInfo.newBuilder().setId(nextId++).setParentId(parent.getId()).setName(nameOf(path))
        .setType(FileType.FILE).setMode(0644).setNlink(1).setBlockSize(blockSize).setReplicas(1)
        .setComplete(true).setLength(length).setMountId(mountId);
    List<Long> ids = new ArrayList<>();
    for (long off = 0, i = 0; off < length; off += blockSize, i++) {
      long blockId = f.getId() << 20 | i;
      long n = Math.min(blockSize, length - off);
      f.addBlocks(BlockMeta.newBuilder().setBlockId(blockId).setLength(n));
      ufsSources.put(blockId, UfsBlockSource.newBuilder().setMountId(mountId).setUfsPath(ufsPath).setOffset(off)
          .setLength(n).setFingerprint(fingerprint).build());
      ids.add(blockId);
    }
    inodes.put(path, f);
    return ids;
  }

  /** Replaces where the master says a block is. */
  public synchronized void setLocations(long blockId, List<BlockLocation> locs) {
    locations.put(blockId, List.copyOf(locs));
  }

  public synchronized FileInfo status(String path) {
    FileInfo.Builder b = inodes.get(path);
    return b == null ? null : b.build();
  }

  @Override
  public synchronized void handle(ServerCall call) {
    try {
      MasterMethod m = MasterMethod.forNumber(call.method());
      if (m == null) {
        throw new RpcException(Status.INVALID_ARGUMENT, "unknown method " + call.method());
      }
      call.respond(dispatch(m, call));
    } catch (RpcException e) {
      call.fail(e);
    }
  }

  private Message dispatch(MasterMethod m, ServerCall call) throws RpcException {
    return switch (m) {
      case MKDIR -> MkdirResponse.newBuilder().setInfo(mkdir(call.parse(MkdirRequest.parser()))).build();
      case CREATE_FILE -> create(call.parse(CreateFileRequest.parser()));
      case ADD_BLOCK -> AddBlockResponse.newBuilder().setBlock(addBlock(call.parse(AddBlockRequest.parser())))
          .build();
      case COMPLETE_FILE -> CompleteFileResponse.newBuilder()
          .setInfo(complete(call.parse(CompleteFileRequest.parser()))).build();
      case GET_STATUS -> GetStatusResponse.newBuilder()
          .setInfo(existing(call.parse(GetStatusRequest.parser()).getPath()).build()).build();
      case LIST_STATUS -> list(call.parse(ListStatusRequest.parser()));
      case DELETE -> delete(call.parse(DeleteRequest.parser()));
      case RENAME -> rename(call.parse(RenameRequest.parser()));
      case GET_BLOCK_LOCATIONS -> blockLocations(call.parse(GetBlockLocationsRequest.parser()));
      case MOUNT -> MountResponse.newBuilder().setMount(mount(call.parse(MountRequest.parser()))).build();
      case UNMOUNT -> unmount(call.parse(UnmountRequest.parser()));
      case GET_MOUNTS -> {
        getMountsCalls++;
        yield GetMountsResponse.newBuilder().addAllMounts(mounts.values()).build();
      }
      case GET_CLUSTER_INFO -> clusterInfo();
      default -> throw new RpcException(Status.INVALID_ARGUMENT, "unsupported method " + m);
    };
  }

  // ---- paths

  private static void validate(String path) throws RpcException {
    if (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/")) || path.contains("//")) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": invalid path");
    }
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash == 0 ? "/" : path.substring(0, slash);
  }

  private static String nameOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static String childPrefix(String dir) {
    return dir.equals("/") ? "/" : dir + "/";
  }

  private FileInfo.Builder existing(String path) throws RpcException {
    validate(path);
    FileInfo.Builder b = inodes.get(path);
    if (b == null) {
      throw new RpcException(Status.NOT_FOUND, path + ": no such file or directory");
    }
    return b;
  }

  private FileInfo.Builder dir(String path) {
    return FileInfo.newBuilder().setName(nameOf(path)).setType(FileType.DIRECTORY).setMode(0755).setNlink(2)
        .setComplete(true);
  }

  /** Makes sure {@code path}'s parent is a directory, creating missing ones when {@code recursive}. */
  private FileInfo.Builder parentDir(String path, boolean recursive) throws RpcException {
    String parent = parentOf(path);
    FileInfo.Builder p = inodes.get(parent);
    if (p == null) {
      if (!recursive) {
        throw new RpcException(Status.NOT_FOUND, path + ": parent " + parent + " does not exist");
      }
      p = parentDir(parent, true);
      FileInfo.Builder created = dir(parent).setId(nextId++).setParentId(p.getId());
      inodes.put(parent, created);
      return created;
    }
    if (p.getType() != FileType.DIRECTORY) {
      throw new RpcException(Status.NOT_DIRECTORY, path + ": parent " + parent + " is not a directory");
    }
    return p;
  }

  private boolean hasChildren(String dir) {
    String prefix = childPrefix(dir);
    String next = inodes.higherKey(prefix);
    return next != null && next.startsWith(prefix);
  }

  // ---- operations

  private FileInfo mkdir(MkdirRequest r) throws RpcException {
    String path = r.getPath();
    validate(path);
    FileInfo.Builder old = inodes.get(path);
    if (old != null) {
      if (old.getType() == FileType.DIRECTORY && r.getRecursive()) {
        return old.build();
      }
      throw new RpcException(Status.ALREADY_EXISTS, path + ": already exists");
    }
    FileInfo.Builder parent = parentDir(path, r.getRecursive());
    FileInfo.Builder d = dir(path).setId(nextId++).setParentId(parent.getId());
    if (r.getMode() != 0) {
      d.setMode(r.getMode());
    }
    inodes.put(path, d);
    return d.build();
  }

  /** As the master: with place_first_block the file's block 0 comes placed (not counted as an ADD_BLOCK call). */
  private CreateFileResponse create(CreateFileRequest r) throws RpcException {
    String path = r.getPath();
    validate(path);
    FileInfo.Builder old = inodes.get(path);
    if (old != null) {
      if (old.getType() == FileType.DIRECTORY) {
        throw new RpcException(Status.IS_DIRECTORY, path + ": is a directory");
      }
      if (!r.getOverwrite()) {
        throw new RpcException(Status.ALREADY_EXISTS, path + ": already exists");
      }
    }
    FileInfo.Builder parent = parentDir(path, r.getRecursive());
    FileInfo.Builder f = FileInfo.newBuilder().setId(nextId++).setParentId(parent.getId()).setName(nameOf(path))
        .setType(FileType.FILE).setMode(r.getMode() == 0 ? 0644 : r.getMode()).setNlink(1)
        .setBlockSize(r.getBlockSize() == 0 ? DEFAULT_BLOCK_SIZE : r.getBlockSize())
        .setReplicas(Math.max(1, r.getReplicas())).setComplete(false);
    inodes.put(path, f);
    CreateFileResponse.Builder out = CreateFileResponse.newBuilder();
    if (r.getPlaceFirstBlock()) {
      BlockInfo first = place(f, 0, List.of());
      f.addBlocks(BlockMeta.newBuilder().setBlockId(first.getBlockId()));
      out.setFirstBlock(first);
    }
    createCalls.add(r);
    return out.setInfo(f.build()).build();
  }

  private FileInfo.Builder fileBeingWritten(long id, String path) throws RpcException {
    FileInfo.Builder f = existing(path);
    if (f.getId() != id) {
      throw new RpcException(Status.NOT_FOUND, path + ": file " + id + " no longer exists");
    }
    if (f.getComplete()) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": already complete");
    }
    return f;
  }

  private BlockInfo addBlock(AddBlockRequest r) throws RpcException {
    addBlockCalls.add(r);
    FileInfo.Builder f = fileBeingWritten(r.getFileId(), r.getPath());
    BlockInfo placed = place(f, r.getPreviousCount(), r.getExcludedWorkersList());
    if (placed.getLocationsCount() == 0) {
      throw new RpcException(Status.UNAVAILABLE, r.getPath() + ": no worker to place a block on");
    }
    return placed;
  }

  /** Block {@code index} of {@code f} on the first workers not excluded (none: no locations). */
  private BlockInfo place(FileInfo.Builder f, int index, List<Long> excluded) {
    long blockId = f.getId() << 20 | index;
    List<BlockLocation> pipeline = new ArrayList<>();
    for (BlockLocation w : workers) {
      if (!excluded.contains(w.getWorkerId()) && pipeline.size() < f.getReplicas()) {
        pipeline.add(w);
      }
    }
    if (!pipeline.isEmpty()) {
      locations.put(blockId, pipeline);
    }
    return BlockInfo.newBuilder().setBlockId(blockId).addAllLocations(pipeline).build();
  }

  private FileInfo complete(CompleteFileRequest r) throws RpcException {
    FileInfo.Builder f = fileBeingWritten(r.getFileId(), r.getPath());
    long sum = 0;
    for (BlockMeta b : r.getBlocksList()) {
      sum += b.getLength();
    }
    if (sum != r.getLength()) {
      throw new RpcException(Status.INVALID_ARGUMENT, r.getPath() + ": blocks hold " + sum + " bytes, not "
          + r.getLength());
    }
    f.clearBlocks().addAllBlocks(r.getBlocksList()).setLength(r.getLength()).setComplete(true);
    return f.build();
  }

  private ListStatusResponse list(ListStatusRequest r) throws RpcException {
    FileInfo.Builder d = existing(r.getPath());
    if (d.getType() != FileType.DIRECTORY) {
      throw new RpcException(Status.NOT_DIRECTORY, r.getPath() + ": not a directory");
    }
    int limit = r.getLimit() > 0 ? r.getLimit() : defaultListLimit;
    String prefix = childPrefix(r.getPath());
    ListStatusResponse.Builder out = ListStatusResponse.newBuilder();
    String from = prefix + r.getStartAfter();
    for (Map.Entry<String, FileInfo.Builder> e : inodes.tailMap(from, r.getStartAfter().isEmpty()).entrySet()) {
      String p = e.getKey();
      if (!p.startsWith(prefix)) {
        break;
      }
      if (p.equals("/") || p.indexOf('/', prefix.length()) >= 0) {
        continue; // deeper than a direct child
      }
      if (out.getEntriesCount() == limit) {
        out.setHasMore(true);
        break;
      }
      out.addEntries(e.getValue().build());
    }
    return out.build();
  }

  private List<String> subtree(String path) {
    List<String> out = new ArrayList<>();
    out.add(path);
    String prefix = childPrefix(path);
    for (String p : inodes.tailMap(prefix, false).keySet()) {
      if (!p.startsWith(prefix)) {
        break;
      }
      out.add(p);
    }
    return out;
  }

  private DeleteResponse delete(DeleteRequest r) throws RpcException {
    FileInfo.Builder f = existing(r.getPath());
    if (r.getPath().equals("/")) {
      throw new RpcException(Status.INVALID_ARGUMENT, "/: cannot delete the root");
    }
    if (f.getType() == FileType.DIRECTORY && !r.getRecursive() && hasChildren(r.getPath())) {
      throw new RpcException(Status.NOT_EMPTY, r.getPath() + ": directory not empty");
    }
    for (String p : subtree(r.getPath())) {
      inodes.remove(p);
    }
    return DeleteResponse.getDefaultInstance();
  }

  private RenameResponse rename(RenameRequest r) throws RpcException {
    String src = r.getSrc();
    String dst = r.getDst();
    existing(src);
    validate(dst);
    if (src.equals("/") || dst.startsWith(childPrefix(src))) {
      throw new RpcException(Status.INVALID_ARGUMENT, src + " -> " + dst + ": cannot move into itself");
    }
    if (inodes.containsKey(dst)) {
      throw new RpcException(Status.ALREADY_EXISTS, dst + ": already exists");
    }
    FileInfo.Builder parent = parentDir(dst, false);
    for (String p : subtree(src)) {
      FileInfo.Builder b = inodes.remove(p);
      String moved = dst + p.substring(src.length());
      if (p.equals(src)) {
        b.setName(nameOf(dst)).setParentId(parent.getId());
      }
      inodes.put(moved, b);
    }
    return RenameResponse.getDefaultInstance();
  }

  private MountInfo mount(MountRequest r) throws RpcException {
    mountCalls.add(r);
    String path = r.getPath();
    validate(path);
    if (path.equals("/")) {
      throw new RpcException(Status.INVALID_ARGUMENT, "/: cannot mount at the root");
    }
    if (inodes.containsKey(path)) {
      throw new RpcException(Status.ALREADY_EXISTS, path + ": already exists");
    }
    long id = nextMountId++;
    FileInfo.Builder parent = parentDir(path, false);
    inodes.put(path, dir(path).setId(nextId++).setParentId(parent.getId()).setMountId(id));
    // Like the real master, the stored mount has the defaults resolved.
    MountInfo m = MountInfo.newBuilder().setMountId(id).setPath(path).setUfsUri(r.getUfsUri())
        .putAllOptions(r.getOptionsMap()).setReadOnly(r.getReadOnly())
        .setSyncIntervalMs(r.getSyncIntervalMs() == 0 ? 60_000 : r.getSyncIntervalMs())
        .setReplicas(r.getReplicas() == 0 ? 1 : r.getReplicas()).build();
    mounts.put(id, m);
    return m;
  }

  private UnmountResponse unmount(UnmountRequest r) throws RpcException {
    MountInfo m = mounts.values().stream().filter(x -> x.getPath().equals(r.getPath())).findFirst()
        .orElseThrow(() -> new RpcException(Status.NOT_FOUND, r.getPath() + ": not a mount point"));
    mounts.remove(m.getMountId());
    for (String p : subtree(r.getPath())) {
      inodes.remove(p);
    }
    return UnmountResponse.getDefaultInstance();
  }

  private GetBlockLocationsResponse blockLocations(GetBlockLocationsRequest r) throws RpcException {
    locationCalls.add(r);
    String path = r.getPath();
    FileInfo.Builder f = existing(path);
    if (f.getType() == FileType.DIRECTORY) {
      throw new RpcException(Status.IS_DIRECTORY, path + ": is a directory");
    }
    GetBlockLocationsResponse.Builder out = GetBlockLocationsResponse.newBuilder().setInfo(f.build());
    for (BlockMeta b : f.getBlocksList()) {
      BlockInfo.Builder info = BlockInfo.newBuilder().setBlockId(b.getBlockId()).setLength(b.getLength())
          .addAllLocations(locations.getOrDefault(b.getBlockId(), List.of()));
      UfsBlockSource ufs = ufsSources.get(b.getBlockId());
      if (ufs != null) {
        info.setUfs(ufs); // cached stays false: the location, if any, reads it through
      } else {
        info.setCached(true);
      }
      out.addBlocks(info);
    }
    return out.build();
  }

  private GetClusterInfoResponse clusterInfo() {
    GetClusterInfoResponse.Builder out = GetClusterInfoResponse.newBuilder().setLeader("fake")
        .setInodeCount(inodes.size());
    for (BlockLocation w : workers) {
      out.addWorkers(WorkerSummary.newBuilder().setWorkerId(w.getWorkerId()).setAddress(w.getAddress())
          .setLive(true));
    }
    return out.build();
  }
}
