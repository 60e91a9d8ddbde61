package io.sluice.cli.local;

/** Names of the server keys the local cluster sets for its processes (defined in the master and worker modules). */
final class LocalKeys {
  private LocalKeys() {}

  static final String MASTER_HOST = "sluice.master.host";
  static final String MASTER_RPC_PORT = "sluice.master.rpc.port";
  static final String MASTER_RAFT_PORT = "sluice.master.raft.port";
  static final String MASTER_DIR = "sluice.master.dir";
  static final String WORKER_HOST = "sluice.worker.host";
  static final String WORKER_DATA_PORT = "sluice.worker.data.port";
  static final String WORKER_TIERS = "sluice.worker.tiers";
}
