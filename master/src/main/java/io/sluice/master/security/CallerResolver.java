package io.sluice.master.security;

import io.sluice.common.conf.SluiceConf;
import io.sluice.master.namespace.Caller;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Turns the user named in a connection's handshake into the {@link Caller} the leader decides for: its groups
 * (static overrides, else the OS of the master's host, cached) and whether it is a superuser. Runs on the leader
 * only; the result travels in the journal entry.
 */
public final class CallerResolver {
  private record Cached(List<String> groups, long expiresMs) {}

  private final String superuser;
  private final String supergroup;
  private final boolean enabled;
  private final StaticGroups overrides;
  private final Function<String, List<String>> osGroups;
  private final Duration cacheFor;
  private final Clock clock;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  /**
   * @param superuser the user running the master
   * @param osGroups looks a user's groups up (the OS; tests pass their own)
   */
  CallerResolver(String superuser, SluiceConf conf, Function<String, List<String>> osGroups, Clock clock) {
    this.superuser = superuser;
    this.supergroup = conf.get(SecurityKeys.SUPERGROUP);
    this.enabled = conf.get(SecurityKeys.PERMISSIONS_ENABLED);
    this.overrides = StaticGroups.parse(conf.get(SecurityKeys.STATIC_GROUPS));
    this.osGroups = osGroups;
    this.cacheFor = conf.get(SecurityKeys.GROUPS_CACHE);
    this.clock = clock;
  }

  /** The resolver of a master run by {@code superuser}, looking groups up in the OS. */
  public static CallerResolver create(String superuser, SluiceConf conf, Clock clock) {
    return new CallerResolver(superuser, conf, OsGroups::of, clock);
  }

  public Caller resolve(String user) {
    if (!enabled || user.equals(superuser)) {
      return new Caller(user, Set.copyOf(overrides.of(user).orElse(List.of())), true);  // no lookup needed
    }
    Set<String> groups = new HashSet<>(groups(user));
    boolean su = groups.contains(supergroup);
    return new Caller(user, groups, su);
  }

  private List<String> groups(String user) {
    List<String> fixed = overrides.of(user).orElse(null);
    if (fixed != null) {
      return fixed;
    }
    long now = clock.millis();
    Cached c = cache.get(user);
    if (c == null || c.expiresMs() <= now) {
      c = new Cached(osGroups.apply(user), now + cacheFor.toMillis());
      cache.put(user, c);
    }
    return c.groups();
  }
}
