package io.sluice.fuse;

import java.util.Optional;
import java.util.OptionalLong;
import jnr.posix.Group;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;

/**
 * {@link LocalAccounts} through libc's {@code getpwnam}/{@code getgrnam} and friends (jnr-posix, which jnr-fuse
 * brings), so LDAP or sssd accounts resolve as they do for {@code ls}, not only those in /etc/passwd.
 */
final class NativeAccounts implements LocalAccounts {
  private final POSIX posix = POSIXFactory.getNativePOSIX();

  @Override
  public OptionalLong uid(String user) {
    Passwd p = posix.getpwnam(user);
    return p == null ? OptionalLong.empty() : OptionalLong.of(p.getUID());
  }

  @Override
  public OptionalLong gid(String group) {
    Group g = posix.getgrnam(group);
    return g == null ? OptionalLong.empty() : OptionalLong.of(g.getGID());
  }

  @Override
  public Optional<String> user(long uid) {
    Passwd p = posix.getpwuid((int) uid);
    return p == null ? Optional.empty() : Optional.ofNullable(p.getLoginName());
  }

  @Override
  public Optional<String> group(long gid) {
    Group g = posix.getgrgid((int) gid);
    return g == null ? Optional.empty() : Optional.ofNullable(g.getName());
  }
}
