package io.sluice.client.block;

import java.nio.file.Path;

/**
 * Bytes of a file as they lie in a block file on this host: {@code length} bytes at {@code offset} of {@code file},
 * under the short-circuit lease {@code leaseId} of the stream that named them. The worker keeps that file in place,
 * holding that block, only while the lease lasts, which is until the stream moves on (see
 * {@code SluiceInputStream#readLocal}); a descriptor opened on it is one lease's, not the path's for good.
 */
public record LocalBlockRange(Path file, long leaseId, long offset, int length) {}
