package io.sluice.master.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.common.conf.SluiceConf;
import io.sluice.master.namespace.Caller;
import io.sluice.master.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerResolverTest {
  final FakeClock clock = new FakeClock(0);
  final List<String> lookups = new ArrayList<>();

  CallerResolver resolver(SluiceConf conf) {
    return new CallerResolver("sluice", conf, user -> {
      lookups.add(user);
      return user.equals("dan") ? List.of("dan", "supergroup") : List.of(user, "users");
    }, clock);
  }

  @Test
  void theMastersUserAndSupergroupMembersAreSuperusersOthersAreNot() {
    CallerResolver r = resolver(SluiceConf.defaults());
    assertTrue(r.resolve("sluice").superuser());
    assertTrue(r.resolve("dan").superuser(), "a member of the supergroup");
    Caller bob = r.resolve("bob");
    assertFalse(bob.superuser());
    assertEquals(Set.of("bob", "users"), bob.groups());
  }

  @Test
  void staticGroupsOverrideTheOsAndOsGroupsAreCachedForTheConfiguredTime() {
    CallerResolver r = resolver(SluiceConf.defaults().with(SecurityKeys.STATIC_GROUPS, " bob = dev , ops ; eve=")
        .with(SecurityKeys.GROUPS_CACHE, "1m"));
    assertEquals(Set.of("dev", "ops"), r.resolve("bob").groups());
    assertEquals(Set.of(), r.resolve("eve").groups());
    r.resolve("carol");
    r.resolve("carol");
    assertEquals(List.of("carol"), lookups, "static users are never looked up; carol once while cached");
    clock.advance(Duration.ofMinutes(2));
    r.resolve("carol");
    assertEquals(List.of("carol", "carol"), lookups);
  }

  @Test
  void disabledChecksMakeEveryoneASuperuser() {
    assertTrue(resolver(SluiceConf.defaults().with(SecurityKeys.PERMISSIONS_ENABLED, "false")).resolve("bob")
        .superuser());
  }

  @Test
  void aMalformedStaticMappingIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> resolver(SluiceConf.defaults().with(SecurityKeys.STATIC_GROUPS, "bob:dev")));
  }

  @Test
  void theOsLookupFindsTheGroupsOfARealUserAndNoneForAnUnknownOne() {
    List<String> root = OsGroups.of("root");
    assertTrue(root.contains("root"), "root's groups: " + root);
    assertEquals(List.of(), OsGroups.of("no-such-user-" + System.nanoTime()));
    assertEquals(List.of(), OsGroups.of("-a"), "never an option for id");
  }
}
