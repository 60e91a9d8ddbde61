package io.sluice.client.master;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AddBlockResponse;
import io.sluice.common.proto.AllocateBlockVersionRequest;
import io.sluice.common.proto.AllocateBlockVersionResponse;
import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CommitEditRequest;
import io.sluice.common.proto.CommitEditResponse;
import io.sluice.common.proto.CompleteFileRequest;
import io.sluice.common.proto.CompleteFileResponse;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateFileResponse;
import io.sluice.common.proto.CreateSymlinkRequest;
import io.sluice.common.proto.CreateSymlinkResponse;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.DeleteResponse;
import io.sluice.common.proto.FileClosingRequest;
import io.sluice.common.proto.FileClosingResponse;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.GetBlockLocationsRequest;
import io.sluice.common.proto.GetBlockLocationsResponse;
import io.sluice.common.proto.GetClusterInfoRequest;
import io.sluice.common.proto.GetClusterInfoResponse;
import io.sluice.common.proto.GetMountsRequest;
import io.sluice.common.proto.GetMountsResponse;
import io.sluice.common.proto.FreeRequest;
import io.sluice.common.proto.GetJobRequest;
import io.sluice.common.proto.GetJobResponse;
import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.LinkRequest;
import io.sluice.common.proto.LinkResponse;
import io.sluice.common.proto.LoadRequest;
import io.sluice.common.proto.LoadResponse;
import io.sluice.common.proto.FreeResponse;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.GetXattrsRequest;
import io.sluice.common.proto.GetXattrsResponse;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.MountResponse;
import io.sluice.common.proto.RemoveXattrRequest;
import io.sluice.common.proto.RemoveXattrResponse;
import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.RenameResponse;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.SetAttributesResponse;
import io.sluice.common.proto.SetPinnedRequest;
import io.sluice.common.proto.SetPinnedResponse;
import io.sluice.common.proto.SetTtlRequest;
import io.sluice.common.proto.SetTtlResponse;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.SetXattrResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.proto.UnmountRequest;
import io.sluice.common.proto.UnmountResponse;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcException;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Typed metadata calls to the leading master, one method per {@link MasterMethod}. Failover and retries are
 * {@link FailoverRpcClient}'s; this class only builds requests and makes sure every error names the path it is
 * about (the master usually says it already; when it does not, the path is prefixed). Thread-safe.
 */
public final class MasterClient implements Closeable {
  /**
   * The longest a hint to the master is waited for: the master's default close wait, past which an announcement of a
   * close is worth nothing anyway.
   */
  static final Duration HINT_TIMEOUT = Duration.ofSeconds(5);

  private final FailoverRpcClient rpc;

  /** Takes ownership of {@code rpc}: {@link #close()} closes it. */
  public MasterClient(FailoverRpcClient rpc) {
    this.rpc = rpc;
  }

  public FileInfo mkdir(String path, boolean recursive, int mode) throws RpcException {
    MkdirRequest req = MkdirRequest.newBuilder().setPath(path).setRecursive(recursive).setMode(mode).build();
    return call(MasterMethod.MKDIR, req, MkdirResponse.parser(), path).getInfo();
  }

  /** Creates a file; with {@code place_first_block} the answer may carry its first block, placed. */
  public CreateFileResponse createFile(CreateFileRequest req) throws RpcException {
    return call(MasterMethod.CREATE_FILE, req, CreateFileResponse.parser(), req.getPath());
  }

  /**
   * Allocates the next block of a file being written.
   *
   * @return the block with its write pipeline (at least one location; the first is where to write)
   */
  public BlockInfo addBlock(long fileId, String path, List<BlockMeta> previous, String clientHost,
      List<Long> excludedWorkers) throws RpcException {
    AddBlockRequest req = AddBlockRequest.newBuilder().setFileId(fileId).setPath(path).addAllPrevious(previous)
        .setClientHost(clientHost).addAllExcludedWorkers(excludedWorkers).build();
    BlockInfo block = call(MasterMethod.ADD_BLOCK, req, AddBlockResponse.parser(), path).getBlock();
    if (block.getLocationsCount() == 0) {
      throw new RpcException(Status.UNAVAILABLE, path + ": the master placed block " + block.getBlockId()
          + " on no worker");
    }
    return block;
  }

  /**
   * Allocates a new version of block {@code index} of a complete file being changed (past its end too, for a
   * change that grows it). The version is seen by no reader until {@link #commitEdit} names it.
   *
   * @return the version with its write pipeline (at least one location; the first is where to write)
   */
  public BlockInfo allocateBlockVersion(long fileId, String path, int index, String clientHost,
      List<Long> excludedWorkers) throws RpcException {
    AllocateBlockVersionRequest req = AllocateBlockVersionRequest.newBuilder().setFileId(fileId).setPath(path)
        .setIndex(index).setClientHost(clientHost).addAllExcludedWorkers(excludedWorkers).build();
    BlockInfo block = call(MasterMethod.ALLOCATE_BLOCK_VERSION, req, AllocateBlockVersionResponse.parser(), path)
        .getBlock();
    if (block.getLocationsCount() == 0) {
      throw new RpcException(Status.UNAVAILABLE, path + ": the master placed version " + block.getBlockId()
          + " of block " + index + " on no worker");
    }
    return block;
  }

  /**
   * Swaps written block versions into a complete file and sets its length, in one step.
   *
   * @return the file as changed
   * @throws RpcException STALE (nothing changed) when another writer changed the file since {@code base_length}
   *     and the edits' base blocks were read
   */
  public FileInfo commitEdit(CommitEditRequest req) throws RpcException {
    return call(MasterMethod.COMMIT_EDIT, req, CommitEditResponse.parser(), req.getPath()).getInfo();
  }

  public FileInfo completeFile(long fileId, String path, List<BlockMeta> blocks, long length)
      throws RpcException {
    return completeFile(fileId, path, blocks, length, "");
  }

  /** @param ufsFingerprint the UFS fingerprint of a file under a mount, written through; empty otherwise */
  public FileInfo completeFile(long fileId, String path, List<BlockMeta> blocks, long length, String ufsFingerprint)
      throws RpcException {
    CompleteFileRequest req = CompleteFileRequest.newBuilder().setFileId(fileId).setPath(path)
        .addAllBlocks(blocks).setLength(length).setUfsFingerprint(ufsFingerprint).build();
    return call(MasterMethod.COMPLETE_FILE, req, CompleteFileResponse.parser(), path).getInfo();
  }

  /**
   * Tells the master this writer of file {@code fileId} is about to complete it ({@code closing}), or takes that
   * back; see FileClosingRequest. A hint: one attempt, not retried through a failover, waited for at most
   * {@link #HINT_TIMEOUT} (a FUSE close(2) waits for it).
   */
  public void fileClosing(long fileId, String path, boolean closing) throws RpcException {
    FileClosingRequest req = FileClosingRequest.newBuilder().setFileId(fileId).setPath(path).setClosing(closing)
        .build();
    try {
      rpc.callOnce(MasterMethod.FILE_CLOSING.getNumber(), req, FileClosingResponse.parser(), HINT_TIMEOUT);
    } catch (RpcException e) {
      throw naming(e, path);
    }
  }

  public FileInfo getStatus(String path) throws RpcException {
    GetStatusRequest req = GetStatusRequest.newBuilder().setPath(path).build();
    return call(MasterMethod.GET_STATUS, req, GetStatusResponse.parser(), path).getInfo();
  }

  /** One page of a listing: entries named after {@code startAfter} (empty: from the start), at most {@code limit}. */
  public ListStatusResponse listPage(String path, String startAfter, int limit) throws RpcException {
    ListStatusRequest req = ListStatusRequest.newBuilder().setPath(path).setStartAfter(startAfter).setLimit(limit)
        .build();
    return call(MasterMethod.LIST_STATUS, req, ListStatusResponse.parser(), path);
  }

  public void delete(String path, boolean recursive) throws RpcException {
    DeleteRequest req = DeleteRequest.newBuilder().setPath(path).setRecursive(recursive).build();
    call(MasterMethod.DELETE, req, DeleteResponse.parser(), path);
  }

  public void rename(String src, String dst, boolean replace) throws RpcException {
    RenameRequest req = RenameRequest.newBuilder().setSrc(src).setDst(dst).setReplace(replace).build();
    call(MasterMethod.RENAME, req, RenameResponse.parser(), src + " -> " + dst);
  }

  public FileInfo setAttributes(SetAttributesRequest req) throws RpcException {
    return call(MasterMethod.SET_ATTRIBUTES, req, SetAttributesResponse.parser(), req.getPath()).getInfo();
  }

  public FileInfo createSymlink(String path, String target) throws RpcException {
    return call(MasterMethod.CREATE_SYMLINK, CreateSymlinkRequest.newBuilder().setPath(path).setTarget(target)
        .build(), CreateSymlinkResponse.parser(), path).getInfo();
  }

  /** A hard link: {@code path} becomes another name of the file at {@code target}. */
  public FileInfo link(String path, String target) throws RpcException {
    return call(MasterMethod.LINK, LinkRequest.newBuilder().setPath(path).setTarget(target).build(),
        LinkResponse.parser(), path).getInfo();
  }

  public void setXattr(SetXattrRequest req) throws RpcException {
    call(MasterMethod.SET_XATTR, req, SetXattrResponse.parser(), req.getPath());
  }

  public void removeXattr(String path, String name) throws RpcException {
    call(MasterMethod.REMOVE_XATTR, RemoveXattrRequest.newBuilder().setPath(path).setName(name).build(),
        RemoveXattrResponse.parser(), path);
  }

  public Map<String, ByteString> getXattrs(String path) throws RpcException {
    return call(MasterMethod.GET_XATTRS, GetXattrsRequest.newBuilder().setPath(path).build(),
        GetXattrsResponse.parser(), path).getXattrsMap();
  }

  /** @param clientHost this host, so that the master picks a worker on it to read a UFS-backed block through */
  public GetBlockLocationsResponse getBlockLocations(String path, String clientHost) throws RpcException {
    return getBlockLocations(path, clientHost, false);
  }

  /** @param refreshUfs the file was found changed in the UFS: have the master check it now (refresh_ufs) */
  public GetBlockLocationsResponse getBlockLocations(String path, String clientHost, boolean refreshUfs)
      throws RpcException {
    GetBlockLocationsRequest req = GetBlockLocationsRequest.newBuilder().setPath(path).setClientHost(clientHost)
        .setRefreshUfs(refreshUfs).build();
    return call(MasterMethod.GET_BLOCK_LOCATIONS, req, GetBlockLocationsResponse.parser(), path);
  }

  public long load(String path) throws RpcException {
    return call(MasterMethod.LOAD, LoadRequest.newBuilder().setPath(path).build(), LoadResponse.parser(), path)
        .getJobId();
  }

  public JobStatus job(long id) throws RpcException {
    return call(MasterMethod.GET_JOB, GetJobRequest.newBuilder().setJobId(id).build(), GetJobResponse.parser(),
        "job " + id).getJob();
  }

  public FreeResponse free(String path, boolean force) throws RpcException {
    return call(MasterMethod.FREE, FreeRequest.newBuilder().setPath(path).setForce(force).build(),
        FreeResponse.parser(), path);
  }

  /** Pins or unpins {@code path}; returns its new status. */
  public FileInfo setPinned(String path, boolean pinned) throws RpcException {
    return call(MasterMethod.SET_PINNED, SetPinnedRequest.newBuilder().setPath(path).setPinned(pinned).build(),
        SetPinnedResponse.parser(), path).getInfo();
  }

  /** Sets ({@code ttlMs > 0}) or clears ({@code ttlMs = 0}) the TTL of {@code path}; returns its new status. */
  public FileInfo setTtl(String path, long ttlMs, TtlAction action) throws RpcException {
    SetTtlRequest req = SetTtlRequest.newBuilder().setPath(path).setTtlMs(ttlMs).setAction(action).build();
    return call(MasterMethod.SET_TTL, req, SetTtlResponse.parser(), path).getInfo();
  }

  public MountInfo mount(MountRequest req) throws RpcException {
    return call(MasterMethod.MOUNT, req, MountResponse.parser(), req.getPath()).getMount();
  }

  public void unmount(String path) throws RpcException {
    call(MasterMethod.UNMOUNT, UnmountRequest.newBuilder().setPath(path).build(), UnmountResponse.parser(), path);
  }

  /** Every mount, as the master's mount table has it now. */
  public List<MountInfo> getMounts() throws RpcException {
    return call(MasterMethod.GET_MOUNTS, GetMountsRequest.getDefaultInstance(), GetMountsResponse.parser(),
        "mount table").getMountsList();
  }

  public GetClusterInfoResponse clusterInfo() throws RpcException {
    return call(MasterMethod.GET_CLUSTER_INFO, GetClusterInfoRequest.getDefaultInstance(),
        GetClusterInfoResponse.parser(), "cluster info");
  }

  private <T extends Message> T call(MasterMethod method, Message req, Parser<T> parser, String subject)
      throws RpcException {
    try {
      return rpc.call(method.getNumber(), req, parser);
    } catch (RpcException e) {
      throw naming(e, subject);
    }
  }

  /** {@code e} itself when its message names {@code subject}, else a copy that does, same status. */
  private static RpcException naming(RpcException e, String subject) {
    String msg = String.valueOf(e.getMessage());
    if (msg.contains(subject)) {
      return e;
    }
    return new RpcException(e.status(), subject + ": " + msg, e);
  }

  @Override
  public void close() {
    rpc.close();
  }
}
