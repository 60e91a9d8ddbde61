package io.sluice.master.rpc;

import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.MountResponse;
import io.sluice.common.proto.UnmountRequest;
import io.sluice.common.proto.UnmountResponse;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.ServerCall;
import io.sluice.master.journal.Journal;
import io.sluice.master.mount.MountService;
import io.sluice.master.namespace.Caller;
import io.sluice.master.proto.ApplyResult;

/** The mount table's methods: MOUNT, UNMOUNT and GET_MOUNTS, over {@link MountService}. Holds no mutable state. */
final class MountMethods {
  private final Journal journal;
  private final MountService mounts;
  private final Proposals proposals;

  MountMethods(Journal journal, MountService mounts, Proposals proposals) {
    this.journal = journal;
    this.mounts = mounts;
    this.proposals = proposals;
  }

  void mount(ServerCall call, Caller caller) throws RpcException {
    MountRequest req = call.parse(MountRequest.parser());
    proposals.mutate(call, () -> mounts.prepareMount(req, caller),
        r -> MountResponse.newBuilder().setMount(mountInfo(r)).build());
  }

  void unmount(ServerCall call, Caller caller) throws RpcException {
    UnmountRequest req = call.parse(UnmountRequest.parser());
    proposals.mutate(call, () -> mounts.prepareUnmount(req, caller), r -> {
      mounts.closeUnmounted();
      return UnmountResponse.getDefaultInstance();
    });
  }

  void getMounts(ServerCall call) throws RpcException {
    journal.readBarrier();
    call.respond(mounts.mounts());
  }

  /** The mount a MOUNT created, from the mount point's inode in the result and the table. */
  private MountInfo mountInfo(ApplyResult r) {
    long id = r.getInfo().getId();
    // Unmounted again between apply and here: the id is all there is to tell.
    return mounts.mounts().getMountsList().stream().filter(m -> m.getMountId() == id).findFirst()
        .orElse(MountInfo.newBuilder().setMountId(id).build());
  }
}
