package io.sluice.master.security;

import io.sluice.common.conf.ConfigKey;
import java.time.Duration;

/** Configuration keys of the master's permission checks (DESIGN §6, §7). */
public final class SecurityKeys {
  private SecurityKeys() {}

  /** POSIX permission checks on every namespace operation; off, every caller acts as the superuser. */
  public static final ConfigKey<Boolean> PERMISSIONS_ENABLED = ConfigKey.bool("sluice.security.permissions.enabled",
      true, "Check POSIX permissions on every namespace operation; false lets every user do anything.");

  /**
   * Members of this group are superusers, besides the user that runs the master. Same meaning as HDFS's
   * {@code dfs.permissions.superusergroup}.
   */
  public static final ConfigKey<String> SUPERGROUP = ConfigKey.string("sluice.security.supergroup", "supergroup",
      "Group whose members are superusers (besides the user running the master).");

  /**
   * Fixed group lists that take precedence over the operating system's: {@code user=group1,group2;user2=} (the
   * format of Hadoop's {@code hadoop.user.group.static.mapping.overrides}). Users absent here are looked up with
   * {@code id -Gn} on the master's host.
   */
  public static final ConfigKey<String> STATIC_GROUPS = ConfigKey.string("sluice.security.groups.static", "",
      "user=group1,group2;user2= : groups that override the OS lookup (id -Gn) on the master.");

  /** How long a user's groups looked up from the OS are reused. */
  public static final ConfigKey<Duration> GROUPS_CACHE = ConfigKey.duration("sluice.security.groups.cache", "5m",
      "How long the master reuses a user's groups looked up from the OS.");
}
