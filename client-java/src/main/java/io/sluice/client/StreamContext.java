package io.sluice.client;

import io.sluice.client.block.ReadOptions;
import io.sluice.client.block.UfsConnectors;
import io.sluice.client.block.UfsFallThrough;
import io.sluice.client.block.WorkerClientPool;
import io.sluice.client.block.WriteChunkPool;
import io.sluice.client.master.MasterClient;

/**
 * What every file stream of one {@link SluiceClient} shares: the master, the pooled worker connections, the
 * settings, this host's name (block placement and read-through prefer a worker on it), the UFS fall-through
 * for blocks no worker can serve, the UFS connectors files under a mount are written through with, and the
 * resident buffers writes gather their chunks in.
 */
record StreamContext(MasterClient master, WorkerClientPool workers, ClientSettings settings, ReadOptions read,
    String clientHost, UfsFallThrough fallThrough, UfsConnectors ufs, WriteChunkPool writeChunks) {}
