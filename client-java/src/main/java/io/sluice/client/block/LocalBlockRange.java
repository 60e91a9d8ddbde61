package io.sluice.client.block;

import java.nio.file.Path;

/**
 * Bytes of a file as they lie in a block file on this host: {@code length} bytes at {@code offset} of {@code file},
 * under a short-circuit lease that {@code lease} names, unique for this process's life (the worker's own lease ids
 * count per connection and repeat after a reconnect). The worker keeps that file in place, holding that block, only
 * while the lease lasts, which is until the stream that named the range moves on (see
 * {@code SluiceInputStream#readLocal}): a descriptor opened on the file is that lease's, not the path's for good.
 */
public record LocalBlockRange(Path file, long lease, long offset, int length) {}
