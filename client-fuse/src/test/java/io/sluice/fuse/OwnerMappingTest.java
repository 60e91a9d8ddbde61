package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OwnerMappingTest {
  private static final long MOUNT_UID = 1000;
  private static final long MOUNT_GID = 1001;

  /** A passwd/group database of two accounts that counts its lookups and can gain accounts. */
  private static final class Accounts implements LocalAccounts {
    final Map<String, Long> users = new HashMap<>(Map.of("root", 0L, "alice", 2000L));
    final Map<String, Long> groups = new HashMap<>(Map.of("root", 0L, "staff", 50L));
    final AtomicInteger lookups = new AtomicInteger();

    @Override
    public OptionalLong uid(String user) {
      lookups.incrementAndGet();
      Long id = users.get(user);
      return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    @Override
    public OptionalLong gid(String group) {
      lookups.incrementAndGet();
      Long id = groups.get(group);
      return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    @Override
    public Optional<String> user(long uid) {
      lookups.incrementAndGet();
      return users.entrySet().stream().filter(e -> e.getValue() == uid).map(Map.Entry::getKey).findFirst();
    }

    @Override
    public Optional<String> group(long gid) {
      lookups.incrementAndGet();
      return groups.entrySet().stream().filter(e -> e.getValue() == gid).map(Map.Entry::getKey).findFirst();
    }
  }

  private final Accounts accounts = new Accounts();
  private long now;
  private final OwnerMapping mapping = new OwnerMapping(accounts, MOUNT_UID, MOUNT_GID, () -> now);

  @Test
  void knownNamesMapToTheirIdsAndBack() {
    assertEquals(2000, mapping.uid("alice"));
    assertEquals(0, mapping.uid("root"));
    assertEquals(50, mapping.gid("staff"));
    assertEquals("alice", mapping.userName(2000));
    assertEquals("staff", mapping.groupName(50));
  }

  @Test
  void unknownNamesShowAsTheMountsUserAndGroup() {
    assertEquals(MOUNT_UID, mapping.uid("bob"));
    assertEquals(MOUNT_GID, mapping.gid("wheel"));
    // An empty owner (none recorded) too.
    assertEquals(MOUNT_UID, mapping.uid(""));
  }

  @Test
  void anIdWithoutANameRoundTripsAsDigits() {
    assertEquals("12345", mapping.userName(12345));
    assertEquals("777", mapping.groupName(777));
    assertEquals(12345, mapping.uid("12345"));
    assertEquals(777, mapping.gid("777"));
    // Too large for an id_t: not an id.
    assertEquals(MOUNT_UID, mapping.uid("99999999999"));
  }

  @Test
  void lookupsAreCachedUntilTheyExpire() {
    assertEquals(MOUNT_UID, mapping.uid("carol"));
    accounts.users.put("carol", 3000L);
    int before = accounts.lookups.get();
    assertEquals(MOUNT_UID, mapping.uid("carol"));
    assertEquals(before, accounts.lookups.get());
    now += OwnerMapping.TTL_NANOS;
    assertEquals(3000, mapping.uid("carol"));
  }
}
