package io.sluice.master.rpc;

import io.sluice.common.proto.RenameRequest;
import io.sluice.common.proto.RenameResponse;
import io.sluice.common.proto.SetPinnedRequest;
import io.sluice.common.proto.SetPinnedResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.mount.MountGuard;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.Caller;
import io.sluice.master.namespace.KeptFiles;
import io.sluice.master.namespace.LeaderContext;
import io.sluice.master.namespace.RenameOp;
import io.sluice.master.namespace.SetPinnedOp;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.store.NamespaceStore;
import io.sluice.master.worker.WorkerRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The namespace changes that can change what the workers must keep (issue 4): SET_PINNED, and RENAME, which can move
 * files under a pinned directory or out from under one. Once applied, {@link PinSync} tells the workers. Holds no
 * mutable state.
 */
final class PinChanges {
  private final NamespaceStore store;
  private final LeaderContext ctx;
  private final MountService mounts;
  private final Proposals proposals;
  private final PinSync pins;
  private final Executor offApplyThread;

  PinChanges(NamespaceStore store, LeaderContext ctx, WorkerRegistry registry, MountService mounts,
      Proposals proposals, Executor executor) {
    this.store = store;
    this.ctx = ctx;
    this.mounts = mounts;
    this.proposals = proposals;
    this.pins = new PinSync(store, registry);
    // A walk of a pinned directory must not hold up the thread that completed the proposal (it applies the log);
    // under overload it runs there all the same rather than leave the workers untold.
    this.offApplyThread = task -> {
      try {
        executor.execute(task);
      } catch (RejectedExecutionException e) {
        task.run();
      }
    };
  }

  void rename(ServerCall call, Caller caller) throws RpcException {
    RenameRequest req = call.parse(RenameRequest.parser());
    for (String p : List.of(req.getSrc(), req.getDst())) {
      MountGuard.checkHoldsNoMount(store.reader(), p);
      MountGuard.checkWritable(store.reader(), p);
      mounts.sync(p, false);
    }
    boolean pinnedBefore = KeptFiles.pinnedAbove(store.reader(), req.getSrc());
    CompletableFuture<ApplyResult> renamed = proposals.propose(call, () -> Proposals.throughUfs(
        RenameOp.prepare(req, caller, ctx), () -> mounts.renameInUfs(req.getSrc(), req.getDst(), req.getReplace())));
    // Moved from under a pinned directory to under none, or the other way: what is kept there changed.
    proposals.reply(call, renamed.thenApplyAsync(r -> {
      if (r.getStatus() == Status.OK && pinnedBefore != KeptFiles.pinnedAbove(store.reader(), req.getDst())) {
        pins.changed(req.getDst());
      }
      return r;
    }, offApplyThread), r -> RenameResponse.getDefaultInstance());
  }

  void setPinned(ServerCall call, Caller caller) throws RpcException {
    SetPinnedRequest req = call.parse(SetPinnedRequest.parser());
    mounts.sync(req.getPath(), false);  // under a mount the path may not be loaded yet
    // The workers' pins are queued before the answer: any heartbeat after it carries them.
    proposals.reply(call, proposals.propose(call, () -> SetPinnedOp.prepare(req, caller, ctx)).thenApplyAsync(r -> {
      if (r.getStatus() == Status.OK) {
        pins.changed(req.getPath());
      }
      return r;
    }, offApplyThread), r -> SetPinnedResponse.newBuilder().setInfo(r.getInfo()).build());
  }
}
