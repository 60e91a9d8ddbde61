package io.sluice.master.namespace;

import io.sluice.master.proto.JournalEntry;
import java.util.Set;

/**
 * The user an operation acts for, as the leader resolved it: name, groups and superuser standing. It travels in the
 * journal entry, so apply checks permissions exactly as the leader did, on every master.
 *
 * @param superuser skips every permission check (the master's own user, the supergroup, or checks disabled)
 */
public record Caller(String user, Set<String> groups, boolean superuser) {
  /** Acts for the system: entries that carry no caller (block allocation and completion of a file being written). */
  public static final Caller SYSTEM = new Caller("", Set.of(), true);

  public Caller {
    groups = Set.copyOf(groups);
  }

  io.sluice.master.proto.Caller toProto() {
    return io.sluice.master.proto.Caller.newBuilder().setUser(user).addAllGroups(groups).setSuperuser(superuser)
        .build();
  }

  /** The caller an entry was decided for; {@link #SYSTEM} when it carries none. */
  static Caller of(JournalEntry e) {
    return e.hasCaller() ? of(e.getCaller()) : SYSTEM;
  }

  /** The caller a journaled record names (an entry's, or a job's). */
  public static Caller of(io.sluice.master.proto.Caller c) {
    return new Caller(c.getUser(), Set.copyOf(c.getGroupsList()), c.getSuperuser());
  }

  /** Whether the caller belongs to {@code group}. */
  boolean isMemberOf(String group) {
    return groups.contains(group);
  }
}
