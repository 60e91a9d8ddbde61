package io.sluice.client.block;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;

/**
 * Bytes of a block did not match their stored CRC32C: the copy this stream read (a worker's block file) is
 * corrupt. {@link BlockReader} reports it to that worker and reads the block elsewhere.
 */
final class CorruptChunkException extends RpcException {
  private final long offset;

  /** @param offset where the chunk that does not match starts, in the block */
  CorruptChunkException(String what, long offset) {
    super(Status.IO_ERROR, what + ": the chunk at offset " + offset + " does not match its CRC32C (corrupt copy)");
    this.offset = offset;
  }

  long offset() {
    return offset;
  }
}
