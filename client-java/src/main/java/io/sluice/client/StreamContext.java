package io.sluice.client;

import io.sluice.client.block.ReadOptions;
import io.sluice.client.block.WorkerClientPool;
import io.sluice.client.master.MasterClient;

/**
 * What every file stream of one {@link SluiceClient} shares: the master, the pooled worker connections, the
 * settings, and this host's name (block placement prefers a worker on it).
 */
record StreamContext(MasterClient master, WorkerClientPool workers, ClientSettings settings, ReadOptions read,
    String clientHost) {}
