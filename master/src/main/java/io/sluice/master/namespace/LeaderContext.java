package io.sluice.master.namespace;

import io.sluice.master.store.NamespaceStore;
import java.time.Clock;

/**
 * What the leader uses to decide an operation before proposing it: the store to validate against, the id counter,
 * the clock for timestamps and the default block size. Never used by apply.
 */
public record LeaderContext(NamespaceStore store, InodeIdAllocator ids, Clock clock, long defaultBlockSize) {}
