package io.sluice.client;

import io.netty.buffer.ByteBuf;
import io.sluice.client.block.UfsConnectors;
import io.sluice.common.proto.MountInfo;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.ufs.UfsException;
import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import io.sluice.ufs.UfsStatus;
import io.sluice.ufs.UnderFileSystem;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UFS half of a file written under a mount (DESIGN §4, cache mode: writes go through to the UFS on close and
 * are cached). Every chunk sent to the block pipeline is also written to a UFS stream; closing makes the UFS file
 * appear whole, and its fingerprint then completes the Sluice file, so the cached blocks and the UFS file are known
 * to match. A failure aborts the UFS stream: the UFS keeps what it had.
 */
final class UfsWriteThrough {
  private static final Logger LOG = LoggerFactory.getLogger(UfsWriteThrough.class);

  private final String path;
  private final UnderFileSystem ufs;
  private final UfsPath ufsPath;
  private final UfsOutputStream out;

  private UfsWriteThrough(String path, UnderFileSystem ufs, UfsPath ufsPath, UfsOutputStream out) {
    this.path = path;
    this.ufs = ufs;
    this.ufsPath = ufsPath;
    this.out = out;
  }

  /**
   * Starts writing {@code path} (normalized, under mount {@code mountId}) in the UFS, replacing what is there (the
   * master already decided whether the file may be replaced).
   */
  static UfsWriteThrough open(UfsConnectors connectors, long mountId, String path) throws RpcException {
    MountInfo mount = connectors.mount(mountId);
    if (!path.startsWith(mount.getPath() + "/")) {
      throw new RpcException(Status.INTERNAL, path + ": not under its mount " + mount.getPath());
    }
    UnderFileSystem ufs = connectors.get(mountId);
    try {
      UfsPath ufsPath = UfsPath.parse(path.substring(mount.getPath().length() + 1));
      return new UfsWriteThrough(path, ufs, ufsPath, ufs.create(ufsPath, true));
    } catch (IOException e) {
      throw failure(path, "creating it in the UFS", e);
    }
  }

  /** Writes the readable bytes of {@code chunk} (not consumed; the caller still sends them to the workers). */
  void write(ByteBuf chunk) throws RpcException {
    try {
      chunk.getBytes(chunk.readerIndex(), out, chunk.readableBytes());
    } catch (IOException e) {
      throw failure(path, "writing it to the UFS", e);
    }
  }

  /** Closes the UFS file, which appears whole now; returns its fingerprint for COMPLETE_FILE. */
  String close() throws RpcException {
    try {
      out.close();
      UfsStatus status = ufs.getStatus(ufsPath).orElseThrow(() -> new UfsException(UfsException.Kind.NOT_FOUND,
          ufsPath.toString(), "gone right after it was written (removed by someone else?)"));
      return status.fingerprint();
    } catch (IOException e) {
      throw failure(path, "closing it in the UFS", e);
    }
  }

  /** Discards what was written to the UFS; the UFS keeps what it had. */
  void abort() {
    try {
      out.abort();
    } catch (IOException e) {
      // Nothing became visible; what is left is the connector's staging data (a local temp file, an S3 upload).
      LOG.warn("{}: aborting the UFS write: {}", path, e.toString());
    }
  }

  private static RpcException failure(String path, String doing, IOException e) {
    Status s = e instanceof RpcException r ? r.status()
        : e instanceof UfsException u && u.kind() != UfsException.Kind.IO_ERROR
            && u.kind() != UfsException.Kind.UNAVAILABLE ? u.kind().status() : Status.UFS_ERROR;
    return new RpcException(s, path + ": " + doing + ": " + e.getMessage(), e);
  }
}
