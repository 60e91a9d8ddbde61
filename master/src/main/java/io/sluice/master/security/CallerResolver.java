package io.sluice.master.security;

import io.sluice.common.conf.SluiceConf;
import io.sluice.master.namespace.Caller;
import java.time.Clock;
import java.time.Duration;
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
  private record Cached(Caller caller, long expiresMs) {}

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

  /**
   * The caller for {@code user}, reused for the cache time: this runs for every request, so it must not allocate or
   * look anything up once the user is known.
   */
  public Caller resolve(String user) {
    long now = clock.millis();
    Cached c = cache.get(user);
    if (c == null || c.expiresMs() <= now) {
      c = new Cached(compute(user), now + cacheFor.toMillis());
      cache.put(user, c);
    }
    return c.caller();
  }

  /** The caller for {@code user} if it is known and not expired, else null: never looks anything up. */
  public Caller cached(String user) {
    Cached c = cache.get(user);
    return c == null || c.expiresMs() <= clock.millis() ? null : c.caller();
  }

  private Caller compute(String user) {
    List<String> fixed = overrides.of(user).orElse(null);
    if (!enabled || user.equals(superuser)) {
      return new Caller(user, Set.copyOf(fixed == null ? List.of() : fixed), true);  // no lookup needed
    }
    Set<String> groups = Set.copyOf(fixed != null ? fixed : osGroups.apply(user));
    return new Caller(user, groups, groups.contains(supergroup));
  }
}
