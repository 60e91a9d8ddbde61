package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.proto.GetMasterStatusRequest;
import io.sluice.common.proto.GetMasterStatusResponse;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MasterStatus;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.FreePort;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET_MASTER_STATUS: what /api/status shows, over RPC, from a leader and from a master that does not lead. */
class MasterStatusRpcTest {
  @TempDir
  Path dir;
  MasterServer master;
  RpcClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (master != null) {
      master.close();
    }
  }

  private MasterStatus status() throws RpcException {
    return client.call(MasterMethod.GET_MASTER_STATUS_VALUE, GetMasterStatusRequest.getDefaultInstance(),
        GetMasterStatusResponse.parser()).getStatus();
  }

  @Test
  void theLeaderAnswersWithItsRaftViewAndNamespace() throws Exception {
    master = new MasterServer(MasterServerTest.conf(dir)).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
    MasterStatus before = status();
    assertEquals("LEADER", before.getRole());
    assertEquals(master.advertisedAddress(), before.getAddress());
    assertEquals(master.advertisedAddress(), before.getLeader());
    assertTrue(before.getTerm() >= 1, before.toString());
    assertEquals(1, before.getInodeCount(), "the root");

    client.call(MasterMethod.MKDIR_VALUE, MkdirRequest.newBuilder().setPath("/a").build(), MkdirResponse.parser());
    MasterStatus after = status();
    assertEquals(2, after.getInodeCount());
    assertTrue(after.getAppliedIndex() > before.getAppliedIndex(), after.toString());
  }

  @Test
  void aMasterThatDoesNotLeadAnswersTooWhileRefusingNamespaceCalls() throws Exception {
    // One of two peers: the other never starts, so there is no majority and this master never leads.
    int rpc = FreePort.pick();
    String raft = "127.0.0.1:" + FreePort.pick() + ",127.0.0.1:" + FreePort.pick();
    master = new MasterServer(MasterServerTest.conf(dir).with(MasterKeys.RPC_PORT, Integer.toString(rpc))
        .with(CommonKeys.MASTER_ADDRESSES, "127.0.0.1:" + rpc + ",127.0.0.1:" + FreePort.pick())
        .with(MasterKeys.RAFT_ADDRESSES, raft)
        .with(MasterKeys.RAFT_PORT, raft.substring(raft.indexOf(':') + 1, raft.indexOf(',')))).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));

    MasterStatus s = status();
    assertNotEquals("LEADER", s.getRole(), s.toString());
    assertEquals(master.advertisedAddress(), s.getAddress());
    assertEquals("", s.getLeader(), "no leader without a majority");
    RpcException e = assertThrows(RpcException.class, () -> client.call(MasterMethod.GET_STATUS_VALUE,
        GetStatusRequest.newBuilder().setPath("/").build(), GetStatusResponse.parser()));
    assertEquals(Status.NOT_LEADER, e.status());
  }

}
