package io.sluice.master.rpc;

import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.GetXattrsRequest;
import io.sluice.common.proto.ListStatusRequest;
import io.sluice.common.proto.ListStatusResponse;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.journal.Journal;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.GetStatusOp;
import io.sluice.master.namespace.ListStatusOp;
import io.sluice.master.namespace.XattrOps;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.store.StoreSnapshot;
import java.util.List;

/**
 * The reads of the namespace's metadata, on the leader after a read barrier, from the store directly (through a
 * snapshot when they read several keys); a path under a mount is synced from the UFS first. A read that finds a file
 * whose writer is closing it answers once the file is complete ({@link ClosingFiles}). Holds no mutable state.
 */
final class NamespaceReads {
  private final NamespaceStore store;
  private final Journal journal;
  private final MountService mounts;
  private final ClosingFiles closing;

  NamespaceReads(NamespaceStore store, Journal journal, MountService mounts, ClosingFiles closing) {
    this.store = store;
    this.journal = journal;
    this.mounts = mounts;
    this.closing = closing;
  }

  void getXattrs(ServerCall call, Caller caller) throws RpcException {
    journal.readBarrier();
    String path = call.parse(GetXattrsRequest.parser()).getPath();
    mounts.sync(path, false);
    call.respond(XattrOps.get(store.reader(), path, caller));
  }

  /**
   * Answers a GET_STATUS on the calling thread when nothing in it can wait: this master reads locally (the caller
   * checked {@link Journal#readsLocally}, so the barrier below passes at once) and the path is under no UFS mount,
   * whose sync may call the UFS, and the file is not one to wait for. False, having answered nothing, when the call
   * must go to the executor instead; the request stays parseable for it.
   */
  boolean getStatusInline(ServerCall call, Caller caller) throws RpcException {
    String path = call.parse(GetStatusRequest.parser()).getPath();
    if (!path.startsWith("/") || mounts.covers(path)) {
      return false;
    }
    journal.checkLeader();
    journal.readBarrier();
    long settlements = closing.settlements();
    GetStatusResponse r = status(path, caller);
    if (closing.holds(r.getInfo(), call.clientId(), settlements)) {
      return false;
    }
    call.respond(r);
    return true;
  }

  void getStatus(ServerCall call, Caller caller) throws RpcException {
    journal.readBarrier();
    String path = call.parse(GetStatusRequest.parser()).getPath();
    mounts.sync(path, false);
    closing.respond(call, () -> status(path, caller), r -> List.of(r.getInfo()));
  }

  private GetStatusResponse status(String path, Caller caller) throws RpcException {
    try (StoreSnapshot snap = store.snapshot()) {
      return GetStatusResponse.newBuilder().setInfo(GetStatusOp.run(snap, path, caller)).build();
    }
  }

  void listStatus(ServerCall call, Caller caller) throws RpcException {
    journal.readBarrier();
    ListStatusRequest req = call.parse(ListStatusRequest.parser());
    // Only the first page lists the UFS: later pages continue the listing that one loaded.
    mounts.sync(req.getPath(), req.getStartAfter().isEmpty());
    closing.respond(call, () -> list(req, caller), ListStatusResponse::getEntriesList);
  }

  private ListStatusResponse list(ListStatusRequest req, Caller caller) throws RpcException {
    try (StoreSnapshot snap = store.snapshot()) {
      return ListStatusOp.run(snap, req, caller);
    }
  }
}
