package io.sluice.master.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.Status;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.RequestStamp;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apply's half of retry deduplication: the first outcome is recorded and answers a re-proposed retry. */
class RequestDedupApplyTest {
  @TempDir
  Path dir;
  NamespaceFixture ns;

  @BeforeEach
  void open() throws Exception {
    ns = new NamespaceFixture(dir);
  }

  @AfterEach
  void close() {
    ns.close();
  }

  private JournalEntry mkdirEntry(String path, long requestId, long timeMs, long expireBeforeMs) throws Exception {
    JournalEntry e = MkdirOp.prepare(MkdirRequest.newBuilder().setPath(path).build(), ns.caller, ns.ctx).entry();
    return e.toBuilder().setRequest(RequestStamp.newBuilder().setClientId("client-1").setRequestId(requestId)
        .setTimeMs(timeMs).setExpireBeforeMs(expireBeforeMs)).build();
  }

  @Test
  void aReproposedRetryGetsTheFirstOutcome() throws Exception {
    JournalEntry first = mkdirEntry("/d", 7, 1000, 0);
    JournalEntry retry = first; // a new leader proposing the client's retry carries the same stamp
    ApplyResult r1 = ns.applier.apply(1, ++ns.index, first);
    ApplyResult r2 = ns.applier.apply(2, ++ns.index, retry);
    assertEquals(Status.OK, r1.getStatus());
    assertEquals(r1, r2, "not ALREADY_EXISTS: the retry is answered with what the first attempt did");
    assertEquals(ns.index, ns.store.appliedIndex(), "the retry still advances the applied index");
  }

  @Test
  void aFailedFirstOutcomeIsRecordedToo() throws Exception {
    JournalEntry e = mkdirEntry("/d", 8, 1000, 0); // decided before a concurrent mkdir of /d was applied
    ns.mkdir("/d", false);
    assertEquals(Status.ALREADY_EXISTS, ns.applier.apply(1, ++ns.index, e).getStatus());
    ns.delete("/d", false);
    // Even though /d could be made now, the retry reports what its call did.
    assertEquals(Status.ALREADY_EXISTS, ns.applier.apply(1, ++ns.index, e).getStatus());
  }

  @Test
  void anotherRequestIsNotConfusedWithIt() throws Exception {
    JournalEntry one = mkdirEntry("/d", 1, 1000, 0);
    JournalEntry two = mkdirEntry("/d", 2, 1000, 0);
    assertEquals(Status.OK, ns.applier.apply(1, ++ns.index, one).getStatus());
    assertEquals(Status.ALREADY_EXISTS, ns.applier.apply(1, ++ns.index, two).getStatus());
  }

  @Test
  void recordsExpireAtTheLeadersCutoff() throws Exception {
    JournalEntry first = mkdirEntry("/d", 7, 1000, 0);
    ns.applier.apply(1, ++ns.index, first);
    // A later entry whose cutoff passed the first record's time drops it...
    ns.applier.apply(1, ++ns.index, mkdirEntry("/e", 9, 5000, 2000));
    assertEquals(java.util.Optional.empty(), ns.store.reader().requestResult("client-1", 7));
    // ...so the same request, proposed again, is applied again (and finds /d).
    assertEquals(Status.ALREADY_EXISTS, ns.applier.apply(1, ++ns.index, first).getStatus());
  }
}
