package io.sluice.master.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's replicated journal: a Ratis server (NETTY transport, log under {@code dir}) running the master
 * state machine, to which the leader submits entries in-process. The group is the masters listed in
 * {@code peers} (1, 3 or 5), each peer carrying its client RPC address so that a follower's NOT_LEADER names where
 * the leader serves. Ids are fixed, so a restarted master finds its log and replays it (the store skips entries it
 * already holds).
 *
 * <p>Proposing is asynchronous: {@link #propose} completes with the {@link ApplyResult} once the entry is committed
 * and applied on this master, or exceptionally with an {@link RpcException}: NOT_LEADER, also when the outcome is
 * unknown (the client retries under the same request id); INTERNAL when applying failed.
 */
public final class MasterJournal implements Journal, Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MasterJournal.class);
  /** How long a read waits for this master to confirm it leads and to apply up to the read index. */
  private static final long READ_BARRIER_TIMEOUT_MS = 10_000;
  /** How long a proposal may wait to commit before its outcome is reported unknown (NOT_LEADER). */
  private static final long PROPOSE_TIMEOUT_MS = 10_000;
  /** One group for all masters of a cluster: a fixed id, so every master and every restart agree. */
  static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("sluice-master".getBytes(StandardCharsets.UTF_8)));

  private final Path dir;
  private final RaftPeer self;
  private final RaftGroup group;
  private final StateMachine stateMachine;
  private final Settings settings;
  /** Names this master's in-process requests to Ratis (proposals and read barriers); Ratis dedups on it. */
  private final ClientId localClientId = ClientId.randomId();
  private final AtomicLong localCallIds = new AtomicLong();
  /** Read barriers passed by a sole master on its own (see {@link #soleLeaderCaughtUp}) and through Ratis. */
  private final LongAdder localReads = new LongAdder();
  private final LongAdder raftReads = new LongAdder();
  /** The term this master was last seen leading, and since when (see {@link #leadership()}). */
  private long leaderTerm = -1;
  private long leaderSinceNanos;
  private RaftServer server;

  /**
   * @param dir the Ratis storage directory (log and metadata)
   * @param self this master: its id and advertised Raft {@code host:port}; {@link #start} binds that port
   * @param peers every master of the group, {@code self} included
   */
  public MasterJournal(Path dir, RaftPeer self, List<RaftPeer> peers, StateMachine stateMachine,
      Settings settings) {
    this.dir = dir;
    this.settings = settings;
    this.self = self;
    this.group = RaftGroup.valueOf(GROUP_ID, peers);
    this.stateMachine = stateMachine;
  }

  /**
   * How the log is kept.
   *
   * @param snapshotEntries take a snapshot (RocksDB checkpoint) after this many entries, then purge the log
   * @param segmentBytes size of a log segment file; the log is purged a whole closed segment at a time
   * @param electionTimeout the Raft election timeout's lower bound; the upper is twice it
   * @param sync sync each entry to disk before it counts as written (see {@code sluice.master.journal.sync})
   */
  public record Settings(long snapshotEntries, long segmentBytes, Duration electionTimeout, boolean sync) {}

  /** A master's Raft peer id, from its host and configured Raft port: the same across restarts. */
  public static RaftPeerId peerId(String host, int port) {
    return RaftPeerId.valueOf(host.replaceAll("[^A-Za-z0-9.-]", "_") + "_" + port);
  }

  /**
   * Starts the Raft server, recovering its log when {@code dir} holds one, and waits until this master leads and
   * has applied every committed entry, so reads of the store are current.
   *
   * @param bindHost the address to listen on for Raft traffic
   * @param leaderTimeout how long to wait for leadership
   * @throws IOException when the server cannot start or does not lead in time
   */
  public void start(String bindHost, Duration leaderTimeout) throws IOException {
    Files.createDirectories(dir);
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.NETTY);
    NettyConfigKeys.Server.setHost(props, bindHost);
    NettyConfigKeys.Server.setPort(props, portOf(self));
    RaftServerConfigKeys.setStorageDir(props, List.of(dir.toFile()));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, settings.snapshotEntries());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
    RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf(settings.segmentBytes()));
    // Ratis otherwise appends (and syncs) a metadata entry each time the commit index moves: measured, one extra
    // log sync per proposal. The commit index is volatile Raft state; after a restart the store is durable and the
    // leader's first entry commits what came before, so nothing is lost by not logging it.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(props, false);
    // Ratis's unsafe flush still write()s each entry to the log file before counting it as flushed; only the
    // force() runs on a thread of its own, not waited for. So an entry a majority counted is in their kernels.
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(props, !settings.sync());
    // Reads: a read index confirmed by a leader lease (no round trip while the lease holds), see readBarrier().
    RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(props, true);
    long electionMs = settings.electionTimeout().toMillis();
    RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(electionMs, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2 * electionMs, TimeUnit.MILLISECONDS));
    // A follower that is down is retried every 250 ms, not Ratis's 25 ms: its appender otherwise burns CPU and logs
    // forty failures a second (measured: 6x slower commits on 2 cores while one of three masters was down).
    RaftServerConfigKeys.Rpc.setSleepTime(props, TimeDuration.valueOf(250, TimeUnit.MILLISECONDS));
    // Pre-vote: a master that was cut off does not depose a healthy leader when it comes back.
    RaftServerConfigKeys.LeaderElection.setPreVote(props, true);
    boolean exists = Files.isDirectory(dir.resolve(GROUP_ID.getUuid().toString()));
    server = RaftServer.newBuilder().setServerId(self.getId()).setGroup(group).setStateMachine(stateMachine)
        .setProperties(props).setOption(exists ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
        .build();
    server.start();
    try {
      checkTheLogHoldsWhatWasApplied();
    } catch (IOException e) {
      server.close();
      throw e;
    }
    // Read back from the server, so the warning (which MasterFailoverTest looks for) shows what Ratis was given.
    if (RaftServerConfigKeys.Log.unsafeFlushEnabled(server.getProperties())) {
      LOG.warn("journal {}: entries are acknowledged before they are synced to disk (sluice.master.journal.sync=false)"
          + ": a machine crash before the sync can lose the last acknowledged operations", self);
    }
    if (group.getPeers().size() == 1) {
      // Alone, this master leads as soon as it replayed its log: serve only then, so the first call succeeds.
      awaitLeaderReady(leaderTimeout);
      LOG.info("journal {} ready: leader of {} ({} log recovered: {})", self, GROUP_ID, dir, exists);
    } else {
      // With peers, leadership needs a majority that may not be up yet: serve at once, answering NOT_LEADER.
      LOG.info("journal {} started in a group of {} ({} log recovered: {})", self, group.getPeers().size(), dir,
          exists);
    }
  }

  /**
   * Refuses to serve when the store has applied an entry that the log no longer holds as it was: past the log's end,
   * or at an index where the log now has another term. Only a log that lost entries it had acknowledged gets there
   * (with {@code sluice.master.journal.sync=false}, a machine crash before the sync). Served, the entries the log
   * gives those indexes next would be taken for ones the store holds and skipped: acknowledged and never applied.
   * Ratis may already have appended this term's first entry, hence the term check at the store's index.
   */
  private void checkTheLogHoldsWhatWasApplied() throws IOException {
    TermIndex applied = stateMachine.getLastAppliedTermIndex();
    if (applied == null || applied.getIndex() < 0) {
      return;
    }
    RaftLog log = server.getDivision(GROUP_ID).getRaftLog();
    TermIndex last = log.getLastEntryTermIndex();
    long end = Math.max(last == null ? RaftLog.INVALID_LOG_INDEX : last.getIndex(), log.getSnapshotIndex());
    TermIndex there = applied.getIndex() <= end ? log.getTermIndex(applied.getIndex()) : null;
    if (applied.getIndex() > end || (there != null && there.getTerm() != applied.getTerm())) {
      throw new IOException("master " + self.getId() + ": its namespace store has applied the journal up to "
          + applied + ", but its journal " + (applied.getIndex() > end ? "ends at index " + end
          : "holds " + there + " there") + ": the journal lost entries after acknowledging them (as a machine crash "
          + "can with sluice.master.journal.sync=false). Nothing was changed. In a group of masters, move this "
          + "master's directory (" + dir.getParent() + ") aside and start it again to copy the leader's state; "
          + "a sole master's store holds operations its journal lost and needs restoring from a backup");
    }
  }

  private void awaitLeaderReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isLeaderReady()) {
      if (System.nanoTime() > deadline) {
        throw new IOException("master " + self.getId() + " did not become leader within " + timeout);
      }
      try {
        // Startup only; Ratis has no future for "leader ready" and an election takes ~150-300 ms.
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for leadership");
      }
    }
  }

  /** Whether this master leads and has applied every entry committed before its term. */
  public boolean isLeaderReady() throws IOException {
    DivisionInfo info = server.getDivision(GROUP_ID).getInfo();
    return info.isLeader() && info.isLeaderReady();
  }

  @Override
  public void checkLeader() throws RpcException {
    boolean ready;
    try {
      ready = isLeaderReady();
    } catch (IOException e) {
      throw new RpcException(Status.NOT_LEADER, "journal unavailable: " + e.getMessage(), "");
    }
    if (!ready) {
      throw new RpcException(Status.NOT_LEADER, "this master is not the leader", leaderClientAddress());
    }
    leadership();  // starts the clock of a new term at its first request
  }

  @Override
  public Duration leadership() {
    try {
      DivisionInfo info = server.getDivision(GROUP_ID).getInfo();
      if (!info.isLeader()) {
        return Duration.ZERO;
      }
      long term = info.getCurrentTerm();
      synchronized (this) {
        // First seen leading in this term: leadership starts now (a caller asks at least once per request).
        if (term != leaderTerm) {
          leaderTerm = term;
          leaderSinceNanos = System.nanoTime();
        }
        return Duration.ofNanos(System.nanoTime() - leaderSinceNanos);
      }
    } catch (IOException e) {
      return Duration.ZERO;
    }
  }

  @Override
  public long leaderTerm() {
    try {
      DivisionInfo info = server.getDivision(GROUP_ID).getInfo();
      return info.isLeader() && info.isLeaderReady() ? info.getCurrentTerm() : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void readBarrier() throws RpcException {
    if (soleLeaderCaughtUp()) {
      localReads.increment();
      return;
    }
    raftReads.increment();
    // Submitted to this server in-process, not through a RaftClient: no loopback network hop per read, and
    // never redirected (the point is that *this* store is current). Under a valid leader lease Ratis answers
    // from the lease without a round of heartbeats.
    RaftClientRequest read = RaftClientRequest.newBuilder().setClientId(localClientId).setServerId(self.getId())
        .setGroupId(GROUP_ID).setCallId(localCallIds.incrementAndGet()).setMessage(Message.EMPTY)
        .setType(RaftClientRequest.readRequestType()).build();
    RaftClientReply reply;
    try {
      reply = submit(read).get(READ_BARRIER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (IOException | ExecutionException | TimeoutException e) {
      throw toRpcException(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(Status.UNAVAILABLE, "interrupted waiting for the read barrier", e);
    }
    if (!reply.isSuccess()) {
      throw toRpcException(reply.getException());
    }
  }

  /**
   * Whether this master is the group's only member, leads, and has applied everything committed. Then the store is
   * current without a Ratis read: no other master exists to have acknowledged a write, and this one acknowledges a
   * write only after applying it, so every acknowledged write is in the store (the read index Ratis would take is the
   * commit index, already applied). Saves the read request's hand-offs between Ratis threads, 30-90 us of a 100-200
   * us stat on this 2-core machine (bench/meta.sh 1 3000 1). Groups of 3 or 5 keep Ratis's read index under the
   * leader lease: there a deposed leader must not answer.
   */
  private boolean soleLeaderCaughtUp() {
    try {
      RaftServer.Division d = server.getDivision(GROUP_ID);
      if (d.getRaftConf().getCurrentPeers().size() != 1 || !d.getRaftConf().getPreviousPeers().isEmpty()) {
        return false;
      }
      DivisionInfo info = d.getInfo();
      return info.isLeader() && info.isLeaderReady()
          && info.getLastAppliedIndex() >= d.getRaftLog().getLastCommittedIndex();
    } catch (IOException e) {
      return false; // not running: the Ratis request fails with the reason
    }
  }

  @Override
  public boolean readsLocally() {
    return soleLeaderCaughtUp();
  }

  /** Read barriers passed so far by this master alone ({@code local}) or through a Ratis read index. */
  public long readBarriers(boolean local) {
    return local ? localReads.sum() : raftReads.sum();
  }

  /**
   * What this master's Raft server knows, for the status page.
   *
   * @param role LEADER, FOLLOWER, CANDIDATE or LISTENER
   * @param selfLeads this master is the leader (then {@code leader} is empty: peers carry no address for
   *     themselves in a single-master group)
   * @param leader the client RPC {@code host:port} of another master believed to lead; empty when none is known
   * @param appliedIndex the last index applied to the state machine, as Ratis counts it
   */
  public record RaftState(String role, boolean selfLeads, String leader, long term, long commitIndex,
      long appliedIndex) {}

  /** The Raft server's current view; fails while the server is not running (before start, after close). */
  public RaftState state() throws IOException {
    RaftServer.Division division = server.getDivision(GROUP_ID);
    DivisionInfo info = division.getInfo();
    return new RaftState(info.getCurrentRole().name(), info.isLeader(), leaderClientAddress(),
        info.getCurrentTerm(), division.getRaftLog().getLastCommittedIndex(), info.getLastAppliedIndex());
  }

  /** The client RPC {@code host:port} of the master this one believes leads, or empty when it knows none. */
  private String leaderClientAddress() {
    try {
      RaftPeerId leader = server.getDivision(GROUP_ID).getInfo().getLeaderId();
      if (leader == null || leader.equals(self.getId())) {
        return "";
      }
      RaftPeer peer = group.getPeer(leader);
      return peer == null || peer.getClientAddress() == null ? "" : peer.getClientAddress();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Replicates {@code entry}; completes with its result once applied here. Fails with NOT_LEADER when another
   * master leads or when the group could not commit in time (the outcome is then unknown: the client retries under
   * the same request id).
   */
  @Override
  public CompletableFuture<ApplyResult> propose(JournalEntry entry) {
    // Submitted to this server in-process, like the read barrier. Not through a RaftClient: its ordered async
    // requests reached the log one at a time, so every entry paid its own log sync (measured: one sync per entry
    // at 8 concurrent proposers; in-process, entries queue behind a sync and share the next).
    RaftClientRequest write = RaftClientRequest.newBuilder().setClientId(localClientId).setServerId(self.getId())
        .setGroupId(GROUP_ID).setCallId(localCallIds.incrementAndGet())
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.toByteArray())))
        .setType(RaftClientRequest.writeRequestType()).build();
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = submit(write);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(toRpcException(e));
    }
    // A group that cannot commit (no majority) would leave the proposal pending: give up like a client timeout,
    // the outcome unknown, so the caller retries under the same request id.
    return sent.orTimeout(PROPOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS).handle((reply, error) -> {
      if (error != null) {
        throw new CompletionException(toRpcException(error));
      }
      return parse(reply);
    });
  }

  /**
   * Hands {@code request} to this master's Raft division on the calling thread. {@link RaftServer}'s own entry point
   * runs the same call on a Ratis client-pool thread and blocks the caller until it returns, a hand-off that cost
   * 30-40 us of a 650-700 us journaled call here (measured with timestamps at propose, log flush, apply and reply;
   * bench/meta.sh 1 3000 1).
   */
  private CompletableFuture<RaftClientReply> submit(RaftClientRequest request) throws IOException {
    RaftServer.Division division = server.getDivision(GROUP_ID);
    if (division instanceof RaftClientAsynchronousProtocol direct) {
      try {
        return direct.submitClientRequestAsync(request);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);  // as the client pool would have reported it
      }
    }
    return server.submitClientRequestAsync(request);
  }

  private static ApplyResult parse(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new CompletionException(toRpcException(reply.getException()));
    }
    try {
      return ApplyResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new CompletionException(new RpcException(Status.INTERNAL, "unreadable apply result", e));
    }
  }

  private static RpcException toRpcException(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof RpcException e) {
      return e;
    }
    if (cause instanceof NotLeaderException e) {
      RaftPeer leader = e.getSuggestedLeader();
      return new RpcException(Status.NOT_LEADER, "not the leader: " + e.getMessage(),
          leader == null || leader.getClientAddress() == null ? "" : leader.getClientAddress());
    }
    if (cause instanceof StateMachineException) {
      return new RpcException(Status.INTERNAL, "applying the journal entry failed: " + cause.getMessage(), cause);
    }
    // A timeout, the leader stepping down, an election under way: whether the entry committed is unknown.
    // NOT_LEADER without a hint sends the client around the group, retrying under the same request id, which the
    // master applies once.
    return new RpcException(Status.NOT_LEADER, "journal could not commit: " + cause, "");
  }

  private static int portOf(RaftPeer peer) {
    String a = peer.getAddress();
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  /** The first index still in the log (entries before it were purged behind a snapshot). */
  public long logStartIndex() throws IOException {
    return server.getDivision(GROUP_ID).getRaftLog().getStartIndex();
  }

  /** Stops the server (which stops applying); the store is the caller's to close afterwards. */
  @Override
  public void close() throws IOException {
    if (server != null) {
      server.close();
    }
  }
}
