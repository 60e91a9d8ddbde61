package io.sluice.master.namespace;

import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.JournalEntry;

/**
 * What the leader decided for one request: an entry to propose, or an answer that needs no journal entry (e.g.
 * {@code mkdir -p} of a directory that exists). Exactly one of the two is set.
 */
public record Prepared(JournalEntry entry, ApplyResult answer) {
  public static Prepared propose(JournalEntry entry) {
    return new Prepared(entry, null);
  }

  public static Prepared answer(ApplyResult answer) {
    return new Prepared(null, answer);
  }
}
