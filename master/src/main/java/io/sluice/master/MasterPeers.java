package io.sluice.master;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.master.journal.MasterJournal;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.protocol.RaftPeer;

/**
 * The Raft group of a multi-master cluster, from {@code sluice.master.raft.addresses} paired by position with
 * {@code sluice.master.addresses}: each peer's Raft address, and its client RPC address (which NOT_LEADER names).
 */
final class MasterPeers {
  private MasterPeers() {}

  /** Every master as a Raft peer; empty when no Raft addresses are configured (a single master). */
  static List<RaftPeer> fromConf(SluiceConf conf) {
    String raft = conf.get(MasterKeys.RAFT_ADDRESSES);
    if (raft.isBlank()) {
      return List.of();
    }
    List<InetSocketAddress> raftAddrs = FailoverRpcClient.parseAddresses(raft);
    List<InetSocketAddress> rpcAddrs = FailoverRpcClient.parseAddresses(conf.get(CommonKeys.MASTER_ADDRESSES));
    if (raftAddrs.size() != rpcAddrs.size()) {
      throw new IllegalArgumentException(MasterKeys.RAFT_ADDRESSES.name() + " lists " + raftAddrs.size()
          + " masters but " + CommonKeys.MASTER_ADDRESSES.name() + " lists " + rpcAddrs.size()
          + "; they must name the same masters in the same order");
    }
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 0; i < raftAddrs.size(); i++) {
      InetSocketAddress r = raftAddrs.get(i);
      InetSocketAddress c = rpcAddrs.get(i);
      peers.add(RaftPeer.newBuilder().setId(MasterJournal.peerId(r.getHostString(), r.getPort()))
          .setAddress(r.getHostString() + ":" + r.getPort())
          .setClientAddress(c.getHostString() + ":" + c.getPort()).build());
    }
    return peers;
  }

  /** The peer that is this master: the one at its host and configured Raft port. */
  static RaftPeer self(List<RaftPeer> peers, String host, int raftPort) {
    String me = host + ":" + raftPort;
    return peers.stream().filter(p -> p.getAddress().equals(me)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("this master (" + me + ", from sluice.master.host and "
            + MasterKeys.RAFT_PORT.name() + ") is not in " + MasterKeys.RAFT_ADDRESSES.name()));
  }
}
