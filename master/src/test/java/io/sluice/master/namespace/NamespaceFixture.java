package io.sluice.master.namespace;

import io.sluice.common.proto.AddBlockRequest;
import io.sluice.common.proto.AllocateBlockVersionRequest;
import io.sluice.common.proto.CommitEditRequest;
import io.sluice.common.proto.BlockMeta;
import io.sluice.common.proto.CompleteFileRequest;
import com.google.protobuf.ByteString;
import io.sluice.common.proto.CreateFileRequest;
import io.sluice.common.proto.CreateSymlinkRequest;
import io.sluice.common.proto.DeleteRequest;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.LinkRequest;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.RemoveXattrRequest;
import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.SetAttributesRequest;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.testing.FakeClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A namespace on a real RocksDB store with the leader's and the applier's halves wired together as the journal
 * would (without Ratis): prepare, then apply at the next log index. Errors come back as {@link RpcException}.
 */
final class NamespaceFixture implements AutoCloseable {
  static final long BLOCK_SIZE = 1024;

  final FakeClock clock = new FakeClock(1_000_000);
  final NamespaceStore store;
  final NamespaceApplier applier;
  final LeaderContext ctx;
  /** Who the operations act for: a superuser unless a test changes it. */
  Caller caller = new Caller("alice", Set.of(), true);
  long index;

  NamespaceFixture(Path dir) throws IOException {
    store = NamespaceStore.open(dir, "root");
    applier = new NamespaceApplier(store);
    ctx = new LeaderContext(store, new InodeIdAllocator(store::nextInodeId), clock, BLOCK_SIZE);
    index = store.appliedIndex();
  }

  /** Applies {@code entry} at the next index; an error status becomes an exception. */
  ApplyResult apply(JournalEntry entry) throws RpcException {
    return check(applier.apply(1, ++index, entry));
  }

  ApplyResult run(Prepared p) throws RpcException {
    return p.answer() != null ? check(p.answer()) : apply(p.entry());
  }

  static ApplyResult check(ApplyResult r) throws RpcException {
    if (r.getStatus() != Status.OK) {
      throw new RpcException(r.getStatus(), r.getMessage());
    }
    return r;
  }

  FileInfo mkdir(String path, boolean recursive) throws RpcException {
    return run(MkdirOp.prepare(MkdirRequest.newBuilder().setPath(path).setRecursive(recursive).build(), caller,
        ctx)).getInfo();
  }

  FileInfo create(String path) throws RpcException {
    return create(CreateFileRequest.newBuilder().setPath(path).build()).getInfo();
  }

  ApplyResult create(CreateFileRequest req) throws RpcException {
    return run(CreateFileOp.prepare(req, caller, ctx));
  }

  ApplyResult addBlock(long fileId, List<BlockMeta> previous) throws RpcException {
    AddBlockOp.Plan plan = AddBlockOp.prepare(AddBlockRequest.newBuilder().setFileId(fileId)
        .addAllPrevious(previous).build(), ctx);
    return apply(plan.entry());
  }

  ApplyResult complete(long fileId, List<BlockMeta> blocks, long length) throws RpcException {
    return run(CompleteFileOp.prepare(CompleteFileRequest.newBuilder().setFileId(fileId).addAllBlocks(blocks)
        .setLength(length).build(), ctx));
  }

  /** Allocates a new version of block {@code index} of file {@code fileId}; returns its id. */
  long allocateVersion(long fileId, int index) throws RpcException {
    AllocateBlockVersionOp.Plan plan = AllocateBlockVersionOp.prepare(AllocateBlockVersionRequest.newBuilder()
        .setFileId(fileId).setIndex(index).build(), caller, ctx);
    apply(plan.entry());
    return plan.blockId();
  }

  ApplyResult commitEdit(CommitEditRequest req) throws RpcException {
    return run(CommitEditOp.prepare(req, caller, ctx));
  }

  /** Creates a complete file of {@code blocks} full blocks; returns its status. */
  FileInfo writeFile(String path, int blocks) throws RpcException {
    FileInfo f = create(path);
    List<BlockMeta> done = new java.util.ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      long id = addBlock(f.getId(), done).getInfo().getBlocks(i).getBlockId();
      done.add(BlockMeta.newBuilder().setBlockId(id).setLength(BLOCK_SIZE).build());
    }
    return complete(f.getId(), done, blocks * BLOCK_SIZE).getInfo();
  }

  ApplyResult delete(String path, boolean recursive) throws RpcException {
    return run(DeleteOp.prepare(DeleteRequest.newBuilder().setPath(path).setRecursive(recursive).build(), caller,
        ctx));
  }

  ApplyResult rename(String src, String dst) throws RpcException {
    return run(RenameOp.prepare(RenameRequest.newBuilder().setSrc(src).setDst(dst).build(), caller, ctx));
  }

  /** POSIX rename(2): an existing dst is replaced. */
  ApplyResult renameReplacing(String src, String dst) throws RpcException {
    return run(RenameOp.prepare(RenameRequest.newBuilder().setSrc(src).setDst(dst).setReplace(true).build(), caller,
        ctx));
  }

  FileInfo setAttributes(SetAttributesRequest req) throws RpcException {
    return run(SetAttributesOp.prepare(req, caller, ctx)).getInfo();
  }

  FileInfo symlink(String path, String target) throws RpcException {
    return run(CreateSymlinkOp.prepare(CreateSymlinkRequest.newBuilder().setPath(path).setTarget(target).build(),
        caller, ctx)).getInfo();
  }

  /** A hard link: {@code path} becomes another name of {@code target}. */
  FileInfo link(String path, String target) throws RpcException {
    return run(LinkOp.prepare(LinkRequest.newBuilder().setPath(path).setTarget(target).build(), caller, ctx))
        .getInfo();
  }

  void setXattr(String path, String name, String value, SetXattrRequest.Mode mode) throws RpcException {
    run(XattrOps.prepareSet(SetXattrRequest.newBuilder().setPath(path).setName(name)
        .setValue(ByteString.copyFromUtf8(value)).setMode(mode).build(), caller, ctx));
  }

  void removeXattr(String path, String name) throws RpcException {
    run(XattrOps.prepareRemove(RemoveXattrRequest.newBuilder().setPath(path).setName(name).build(), caller, ctx));
  }

  java.util.Map<String, String> xattrs(String path) throws RpcException {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    XattrOps.get(store.reader(), path, caller).getXattrsMap().forEach((k, v) -> out.put(k, v.toStringUtf8()));
    return out;
  }

  FileInfo stat(String path) throws RpcException {
    return GetStatusOp.run(store.reader(), path, caller);
  }

  ListStatusResponse list(String path, String startAfter, int limit) throws RpcException {
    return ListStatusOp.run(store.reader(), ListStatusRequest.newBuilder().setPath(path).setStartAfter(startAfter)
        .setLimit(limit).build(), caller);
  }

  List<String> names(String path) throws RpcException {
    return list(path, "", 0).getEntriesList().stream().map(FileInfo::getName).toList();
  }

  @Override
  public void close() {
    store.close();
  }
}
