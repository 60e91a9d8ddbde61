package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.conf.CommonKeys;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.rpc.FailoverRpcClient;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.FreePort;
import io.sluice.master.journal.MasterJournal;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.NamespaceStore;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three masters; one follower is down while the others apply thousands of entries, snapshot and purge their logs.
 * When it comes back, the log it missed is gone, so it must receive a snapshot (a RocksDB checkpoint) and then
 * converge to the same namespace as the leader.
 */
class SnapshotCatchUpTest {
  private static final int N = 3;
  /**
   * Operations the follower misses. The must-show is 10,000 (-Dsluice.test.snapshot.ops=10000, recorded in
   * the notes); the default keeps CI within its time on 2 cores, and is still five snapshots past the follower.
   */
  private static final int MISSED_OPS = Integer.getInteger("sluice.test.snapshot.ops", 5000);

  @TempDir
  Path dir;

  private final int[] rpc = new int[N];
  private final int[] raft = new int[N];
  private final MasterServer[] masters = new MasterServer[N];


  private String list(int[] ports) {
    List<String> a = new ArrayList<>();
    for (int p : ports) {
      a.add("127.0.0.1:" + p);
    }
    return String.join(",", a);
  }

  private SluiceConf conf(int i) {
    return SluiceConf.defaults().with(CommonKeys.MASTER_ADDRESSES, list(rpc))
        .with(MasterKeys.RAFT_ADDRESSES, list(raft)).with(MasterKeys.HOST, "127.0.0.1")
        .with(MasterKeys.RPC_PORT, Integer.toString(rpc[i])).with(MasterKeys.RAFT_PORT, Integer.toString(raft[i]))
        .with(MasterKeys.DIR, dir.resolve("m" + i).toString()).with(MasterKeys.HTTP_PORT, "0")
        .with(MasterKeys.SNAPSHOT_ENTRIES, "1000").with(MasterKeys.JOURNAL_SEGMENT_SIZE, "16k");
  }

  @AfterEach
  void stop() {
    for (MasterServer m : masters) {
      if (m != null) {
        m.close();
      }
    }
  }

  private int leader() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < N; i++) {
        if (masters[i] != null && masters[i].journal().isLeaderReady()) {
          return i;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader");
  }

  /** Every inode reachable from the root, depth first in name order, hashed. */
  private static byte[] digest(NamespaceStore store) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    walk(store.reader(), NamespaceStore.ROOT_ID, md);
    return md.digest();
  }

  private static void walk(NamespaceReader r, long id, MessageDigest md) {
    InodeRecord inode = r.inode(id).orElseThrow();
    md.update(inode.toByteArray());
    String after = "";
    while (true) {
      List<NamespaceReader.Child> page = r.children(id, after, 500);
      for (NamespaceReader.Child c : page) {
        walk(r, c.id(), md);
      }
      if (page.size() < 500) {
        return;
      }
      after = page.get(page.size() - 1).name();
    }
  }

  @Test
  void aFollowerBehindThePurgedLogCatchesUpFromASnapshot() throws Exception {
    for (int i = 0; i < N; i++) {
      rpc[i] = FreePort.pick();
      raft[i] = FreePort.pick();
    }
    for (int i = 0; i < N; i++) {
      masters[i] = new MasterServer(conf(i)).start();
    }
    int leader = leader();
    int follower = (leader + 1) % N;
    try (FailoverRpcClient client = new FailoverRpcClient(FailoverRpcClient.parseAddresses(list(rpc)),
        RpcOptions.defaults(), Duration.ofSeconds(30))) {
      client.call(MasterMethod.MKDIR_VALUE, MkdirRequest.newBuilder().setPath("/d").build(), MkdirResponse.parser());
      masters[follower].close();
      long missedFrom = masters[leader].store().appliedIndex();
      // Operations while it is down, from 8 writers so Ratis batches them (each log flush is an fsync).
      java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
          int writer = w;
          done.add(writers.submit(() -> {
            for (int i = writer; i < MISSED_OPS; i += 8) {
              client.call(MasterMethod.MKDIR_VALUE, MkdirRequest.newBuilder().setPath("/d/" + i).build(),
                  MkdirResponse.parser());
            }
            return null;
          }));
        }
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
      } finally {
        writers.shutdownNow();
      }
      assertEquals(MISSED_OPS + 2, masters[leader()].store().inodeCount(), "root, /d and every /d/i");
      leader = leader();
      long start = masters[leader].journal().logStartIndex();
      assertTrue(start > missedFrom, "the leader purged the entries the follower missed (log starts at " + start
          + ", follower stopped at " + missedFrom + ")");

      masters[follower] = new MasterServer(conf(follower)).start();
      NamespaceStore lead = masters[leader].store();
      NamespaceStore back = masters[follower].store();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (back.appliedIndex() < lead.appliedIndex()) {
        assertTrue(System.nanoTime() < deadline, "follower stuck at " + back.appliedIndex() + " of "
            + lead.appliedIndex());
        Thread.sleep(20);
      }
      assertEquals(lead.inodeCount(), back.inodeCount());
      assertArrayEquals(digest(lead), digest(back), "the follower holds the leader's namespace");

      // With other masters a leader never confirms a read on its own: it may have been deposed (read index, lease).
      MasterJournal j = masters[leader].journal();
      long raftReads = j.readBarriers(false);
      j.readBarrier();
      assertEquals(raftReads + 1, j.readBarriers(false));
      assertEquals(0, j.readBarriers(true));
    }
  }
}
