package io.sluice.master.namespace;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import java.util.List;

/** Builds the {@link ApplyResult}s operations return. */
public final class ApplyResults {
  private ApplyResults() {}

  public static ApplyResult ok(InodeRecord inode) {
    return ApplyResult.newBuilder().setStatus(Status.OK).setInfo(Inodes.toFileInfo(inode)).build();
  }

  public static ApplyResult ok(FileInfo info, List<Long> removedBlocks) {
    ApplyResult.Builder b = ApplyResult.newBuilder().setStatus(Status.OK).addAllRemovedBlockIds(removedBlocks);
    if (info != null) {
      b.setInfo(info);
    }
    return b.build();
  }

  public static ApplyResult error(RpcException e) {
    return ApplyResult.newBuilder().setStatus(e.status()).setMessage(String.valueOf(e.getMessage())).build();
  }

  /** The result as an exception, for callers that answer errors by throwing; null when OK. */
  public static RpcException toException(ApplyResult r) {
    return r.getStatus() == Status.OK ? null : new RpcException(r.getStatus(), r.getMessage());
  }
}
