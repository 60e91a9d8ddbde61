package io.sluice.fuse;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The host's user and group database (passwd and group, through NSS), as the kernel's ids need it: Sluice names
 * owners and groups by string, FUSE by number.
 */
interface LocalAccounts {
  OptionalLong uid(String user);

  OptionalLong gid(String group);

  Optional<String> user(long uid);

  Optional<String> group(long gid);
}
