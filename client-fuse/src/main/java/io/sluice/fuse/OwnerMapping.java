package io.sluice.fuse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Translates between Sluice's owner and group names and the local uids and gids the kernel shows and passes.
 *
 * <p>Names to ids (getattr): a name the host does not know shows as the fallback id (the mount's user or group),
 * except a decimal name, which is the id itself: {@link #userName} stores an id without a local name that way, so
 * {@code chown 12345} survives a round trip. Ids to names (chown) are looked up the same way in reverse.
 *
 * <p>getattr is the hottest callback and a libc lookup may read files or ask a directory service, so answers,
 * including "unknown", are cached for {@link #TTL_NANOS}: an account added to the host shows within that time.
 */
final class OwnerMapping {
  static final long TTL_NANOS = 30_000_000_000L;

  private final LocalAccounts accounts;
  private final long fallbackUid;
  private final long fallbackGid;
  private final LongSupplier nanoTime;
  private final Map<String, Cached<Long>> uids = new ConcurrentHashMap<>();
  private final Map<String, Cached<Long>> gids = new ConcurrentHashMap<>();
  private final Map<Long, Cached<String>> users = new ConcurrentHashMap<>();
  private final Map<Long, Cached<String>> groups = new ConcurrentHashMap<>();

  private record Cached<T>(T value, long expiresNanos) {}

  /** @param nanoTime the clock for cache expiry ({@code System::nanoTime} outside tests) */
  OwnerMapping(LocalAccounts accounts, long fallbackUid, long fallbackGid, LongSupplier nanoTime) {
    this.accounts = accounts;
    this.fallbackUid = fallbackUid;
    this.fallbackGid = fallbackGid;
    this.nanoTime = nanoTime;
  }

  long uid(String owner) {
    return cached(uids, owner, () -> accounts.uid(owner).orElse(numeric(owner, fallbackUid)));
  }

  long gid(String group) {
    return cached(gids, group, () -> accounts.gid(group).orElse(numeric(group, fallbackGid)));
  }

  String userName(long uid) {
    return cached(users, uid, () -> accounts.user(uid).orElse(Long.toString(uid)));
  }

  String groupName(long gid) {
    return cached(groups, gid, () -> accounts.group(gid).orElse(Long.toString(gid)));
  }

  private static long numeric(String name, long fallback) {
    if (name.isEmpty() || name.length() > 10 || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return fallback;
    }
    long id = Long.parseLong(name);
    return id <= 0xFFFF_FFFEL ? id : fallback;
  }

  private <K, T> T cached(Map<K, Cached<T>> cache, K key, java.util.function.Supplier<T> lookup) {
    long now = nanoTime.getAsLong();
    Cached<T> c = cache.get(key);
    if (c != null && now - c.expiresNanos() < 0) {
      return c.value();
    }
    T value = lookup.get();
    cache.put(key, new Cached<>(value, now + TTL_NANOS));
    return value;
  }
}
