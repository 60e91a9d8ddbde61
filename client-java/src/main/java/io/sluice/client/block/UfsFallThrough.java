package io.sluice.client.block;

import io.sluice.common.proto.BlockInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.proto.UfsBlockSource;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.BlockSourceCheck;
import io.sluice.ufs.OpenedFile;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Fall-through (DESIGN §5): when no worker can serve a block of a UFS-backed file, the client reads the range from
 * the UFS itself rather than fail. This class is the one place that decides when that happens and does the read.
 *
 * <p>The rule ({@link #applies}): the block has a UFS source, and every location it has failed with UNAVAILABLE
 * (refused or closed connection, timeout, a worker saying it cannot serve now), or it has no location at all. A
 * worker that answered anything else (NOT_FOUND, IO_ERROR, UFS_ERROR, STALE) was reached and told us something
 * about the data or the UFS that reading the UFS ourselves would not fix, so its error stands. Blocks of
 * Sluice-native files have no other copy: for them nothing changes.
 *
 * <p>A fall-through read is not cached anywhere: the workers are the cache and none is reachable.
 */
public final class UfsFallThrough {
  private final UfsConnectors connectors;

  /** Does not own {@code connectors}. */
  public UfsFallThrough(UfsConnectors connectors) {
    this.connectors = connectors;
  }

  /**
   * Whether to read {@code block} from the UFS after its locations failed with {@code failures} (one status per
   * location tried; empty when it has none).
   */
  public static boolean applies(BlockInfo block, List<Status> failures) {
    return block.hasUfs() && failures.stream().allMatch(s -> s == Status.UNAVAILABLE);
  }

  /**
   * Opens {@code [offset, offset + length)} of {@code block} (offsets in the block) on its mount's UFS, once its
   * status shows the file as listed. The stream gives exactly {@code length} bytes or fails with STALE (the file
   * changed since it was listed).
   *
   * @param path the Sluice file, for error messages
   * @throws RpcException STALE (the UFS file is gone or changed), NOT_FOUND (the mount is gone), the UFS error's status
   *     otherwise
   */
  InputStream open(BlockInfo block, long offset, long length, String path) throws RpcException {
    UfsBlockSource src = block.getUfs();
    String what = path + ": block " + block.getBlockId() + " read from the UFS (no worker reachable): "
        + src.getUfsPath() + " at " + (src.getOffset() + offset);
    if (offset + length > src.getLength()) {
      throw new RpcException(Status.INTERNAL, what + ": range ends past the block's UFS length " + src.getLength());
    }
    try {
      UnderFileSystem ufs = connectors.get(src.getMountId());
      UfsPath file = UfsPath.parse(src.getUfsPath());
      Optional<OpenedFile> opened = ufs.openWithStatus(file, src.getOffset() + offset, length);
      try {
        checkUnchanged(opened.map(OpenedFile::status), src, what);
      } catch (RpcException e) {
        if (opened.isPresent()) {
          opened.get().in().close();  // a changed file's bytes are not wanted
        }
        throw e;
      }
      return new UfsRangeStream(opened.get().in(), length, what);
    } catch (UfsException e) {
      // A file gone from the UFS since it was listed is STALE, as the worker says it: the listing is what is wrong.
      Status s = e.kind() == UfsException.Kind.NOT_FOUND ? Status.STALE : e.kind().status();
      throw new RpcException(s, what + ": " + e.getMessage(), e);
    } catch (RpcException e) {
      throw new RpcException(e.status(), what + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new RpcException(Status.UFS_ERROR, what + ": " + e.getMessage(), e);
    }
  }

  /**
   * The check a worker makes before it reads a block through ({@link BlockSourceCheck}): a file changed since it was
   * listed (or gone) is STALE, never read under the old metadata.
   */
  private static void checkUnchanged(Optional<UfsStatus> now, UfsBlockSource src, String what) throws RpcException {
    Optional<String> changed = now.isEmpty() ? Optional.of("it is gone") : BlockSourceCheck.changed(now.get(), src);
    if (changed.isPresent()) {
      throw new RpcException(Status.STALE, what + ": the file changed since it was listed (" + changed.get() + ")");
    }
  }

  /** Wraps a failure of reading an open fall-through stream, keeping STALE and naming the block otherwise. */
  static RpcException readFailure(IOException e, String what) {
    if (e instanceof RpcException re) {
      return re;
    }
    Status s = e instanceof UfsException ue ? ue.kind().status() : Status.UFS_ERROR;
    return new RpcException(s, what + ": reading the UFS: " + e.getMessage(), e);
  }
}
