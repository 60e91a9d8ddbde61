package io.sluice.master.rpc;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.BlockLocation;
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
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.LinkRequest;
import io.sluice.common.proto.LinkResponse;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.RemoveXattrRequest;
import io.sluice.common.proto.RemoveXattrResponse;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.SetAttributesResponse;
import io.sluice.common.proto.SetTtlRequest;
import io.sluice.common.proto.SetTtlResponse;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.SetXattrResponse;
import io.sluice.common.proto.TtlAction;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.mount.DeleteThroughUfs;
import io.sluice.master.mount.MountGuard;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.BlockIds;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.CommitEditOp;
import io.sluice.master.namespace.CompleteFileOp;
import io.sluice.master.namespace.CreateFileOp;
import io.sluice.master.namespace.CreateSymlinkOp;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.LinkOp;
import io.sluice.master.namespace.MkdirOp;
import io.sluice.master.namespace.SetAttributesOp;
import io.sluice.master.namespace.SetTtlOp;
import io.sluice.master.namespace.XattrOps;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.store.NamespaceStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The namespace changes that touch no worker and no pin (a create may place its first block, see
 * {@link #createFile}): each checks the mounts (a read-only mount refuses it, a
 * path under a mount is synced from the UFS first), then has its op decide and {@link Proposals} propose it. Holds
 * no mutable state.
 */
final class NamespaceChanges {
  private final NamespaceStore store;
  private final LeaderContext ctx;
  private final MountService mounts;
  private final Proposals proposals;
  private final ClosingFiles closing;
  private final WritePipelines pipelines;

  NamespaceChanges(NamespaceStore store, LeaderContext ctx, MountService mounts, Proposals proposals,
      ClosingFiles closing, WritePipelines pipelines) {
    this.closing = closing;
    this.pipelines = pipelines;
    this.store = store;
    this.ctx = ctx;
    this.mounts = mounts;
    this.proposals = proposals;
  }

  void mkdir(ServerCall call, Caller caller) throws RpcException {
    MkdirRequest req = call.parse(MkdirRequest.parser());
    MountGuard.checkWritable(store.reader(), req.getPath());
    mounts.sync(req.getPath(), false);  // under a mount the parents may not be loaded yet
    proposals.mutate(call, () -> Proposals.throughUfs(MkdirOp.prepare(req, caller, ctx),
        () -> mounts.mkdirInUfs(req.getPath())), r -> MkdirResponse.newBuilder().setInfo(r.getInfo()).build());
  }

  void createFile(ServerCall call, Caller caller) throws RpcException {
    CreateFileRequest req = call.parse(CreateFileRequest.parser());
    // Under a mount the client writes the file through to the UFS (COMPLETE_FILE carries its fingerprint);
    // the namespace must know what the UFS has there first, for ALREADY_EXISTS and overwrite.
    MountGuard.checkWritable(store.reader(), req.getPath());
    mounts.sync(req.getPath(), false);
    // Placed here, not in the reply: that runs where the entry was applied, and must not wait for the registry.
    List<BlockLocation> pipeline = req.getPlaceFirstBlock() ? firstPipeline(call, req) : List.of();
    proposals.mutate(call, () -> CreateFileOp.prepare(req, caller, ctx), r -> created(r.getInfo(), pipeline));
  }

  /**
   * Where the first block of a new file goes, before the file exists (the file's id names the block, and is known
   * only once applied). With no live worker the block goes unplaced: the writer's ADD_BLOCK then fails with the
   * reason, as it would have without this. The replicas are CreateFileOp's, which refuses a count out of range.
   */
  private List<BlockLocation> firstPipeline(ServerCall call, CreateFileRequest req) {
    int replicas = req.getReplicas() == 0 ? 1 : req.getReplicas();
    if (replicas < 0 || replicas > CreateFileOp.MAX_REPLICAS) {
      return List.of();
    }
    try {
      return pipelines.place(call, req.getClientHost(), replicas, List.of());
    } catch (RpcException e) {
      return List.of();
    }
  }

  /**
   * The answer to a create: the file, and its first block with {@code pipeline} if the file was created with one
   * (not so for an entry proposed without it, such as the recorded result a retry is answered with).
   */
  private static CreateFileResponse created(FileInfo file, List<BlockLocation> pipeline) {
    CreateFileResponse.Builder r = CreateFileResponse.newBuilder().setInfo(file);
    long first = BlockIds.of(file.getId(), 0);
    if (!pipeline.isEmpty() && file.getBlocksCount() > 0 && file.getBlocks(0).getBlockId() == first) {
      r.setFirstBlock(BlockInfo.newBuilder().setBlockId(first).addAllLocations(pipeline));
    }
    return r.build();
  }

  /**
   * Not deduplicated, being idempotent by design: a retried complete of a complete file succeeds. Readers waiting for
   * the file's completion ({@link ClosingFiles}) go on once it is decided, either way.
   */
  void completeFile(ServerCall call) throws RpcException {
    CompleteFileRequest req = call.parse(CompleteFileRequest.parser());
    CompletableFuture<ApplyResult> outcome;
    try {
      outcome = proposals.outcome(CompleteFileOp.prepare(req, ctx));
    } catch (RpcException | RuntimeException e) {
      closing.settled(req.getFileId());
      throw e;
    }
    proposals.reply(call, outcome.whenComplete((r, error) -> closing.settled(req.getFileId())),
        r -> CompleteFileResponse.newBuilder().setInfo(r.getInfo()).build());
  }

  void commitEdit(ServerCall call, Caller caller) {
    proposals.mutate(call, () -> CommitEditOp.prepare(call.parse(CommitEditRequest.parser()), caller, ctx),
        r -> CommitEditResponse.newBuilder().setInfo(r.getInfo()).build());
  }

  void delete(ServerCall call, Caller caller) throws RpcException {
    DeleteRequest req = call.parse(DeleteRequest.parser());
    DeleteThroughUfs.check(ctx, mounts, req.getPath());
    proposals.mutate(call, () -> DeleteThroughUfs.prepare(req, caller, ctx, mounts),
        r -> DeleteResponse.getDefaultInstance());
  }

  void setAttributes(ServerCall call, Caller caller) throws RpcException {
    SetAttributesRequest req = call.parse(SetAttributesRequest.parser());
    MountGuard.checkWritable(store.reader(), req.getPath());
    proposals.mutate(call, () -> SetAttributesOp.prepare(req, caller, ctx),
        r -> SetAttributesResponse.newBuilder().setInfo(r.getInfo()).build());
  }

  void createSymlink(ServerCall call, Caller caller) throws RpcException {
    CreateSymlinkRequest req = call.parse(CreateSymlinkRequest.parser());
    MountGuard.checkNotUnderMount(store.reader(), req.getPath(), "symbolic links");
    proposals.mutate(call, () -> CreateSymlinkOp.prepare(req, caller, ctx),
        r -> CreateSymlinkResponse.newBuilder().setInfo(r.getInfo()).build());
  }

  /**
   * Deduplicated like every namespace change: a retried LINK answers what the first did, not ALREADY_EXISTS. Under a
   * mount LinkOp refuses it from the mount ids of the inodes on the way, loaded from the UFS or not.
   */
  void link(ServerCall call, Caller caller) throws RpcException {
    LinkRequest req = call.parse(LinkRequest.parser());
    proposals.mutate(call, () -> LinkOp.prepare(req, caller, ctx),
        r -> LinkResponse.newBuilder().setInfo(r.getInfo()).build());
  }

  void setXattr(ServerCall call, Caller caller) throws RpcException {
    SetXattrRequest req = call.parse(SetXattrRequest.parser());
    MountGuard.checkWritable(store.reader(), req.getPath());
    proposals.mutate(call, () -> XattrOps.prepareSet(req, caller, ctx), r -> SetXattrResponse.getDefaultInstance());
  }

  void removeXattr(ServerCall call, Caller caller) throws RpcException {
    RemoveXattrRequest req = call.parse(RemoveXattrRequest.parser());
    MountGuard.checkWritable(store.reader(), req.getPath());
    proposals.mutate(call, () -> XattrOps.prepareRemove(req, caller, ctx),
        r -> RemoveXattrResponse.getDefaultInstance());
  }

  void setTtl(ServerCall call, Caller caller) throws RpcException {
    SetTtlRequest req = call.parse(SetTtlRequest.parser());
    if (req.getAction() == TtlAction.TTL_DELETE && req.getTtlMs() > 0) {
      // Refused now rather than dropped with a warning when it expires.
      MountGuard.checkHoldsNoMount(store.reader(), req.getPath());
      MountGuard.checkWritable(store.reader(), req.getPath());
    }
    mounts.sync(req.getPath(), false);
    proposals.mutate(call, () -> SetTtlOp.prepare(req, caller, ctx),
        r -> SetTtlResponse.newBuilder().setInfo(r.getInfo()).build());
  }
}
