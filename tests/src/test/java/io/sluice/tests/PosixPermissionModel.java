package io.sluice.tests;

import java.util.Set;

/**
 * What Linux answers when a process asks for an operation on a file: allowed, EACCES or EPERM. Written from POSIX and
 * the Linux VFS rules (generic_permission, may_delete, setattr_prepare, xattr_permission), independently of Sluice's
 * own checks, so {@link PermissionMatrixTest} can hold every front end to it.
 *
 * <p>Scope: the directory an operation looks into and the file it acts on; every directory above them is taken to be
 * searchable by everyone (the matrix builds its fixture so). Access classes as POSIX: the owner's bits if the caller
 * owns the inode, else the group's if it is a member of the inode's group, else the others' (an owner without a bit
 * is refused even when the group has it). The superuser passes every check.
 */
final class PosixPermissionModel {
  private PosixPermissionModel() {}

  static final int R = 4;
  static final int W = 2;
  static final int X = 1;
  static final int STICKY = 01000;

  /** A caller: a user name, its groups (the primary one included) and whether it is the superuser. */
  record Subject(String user, Set<String> groups, boolean superuser) {}

  /** The attributes of an inode that permissions depend on. */
  record Inode(String owner, String group, int mode) {}

  enum Outcome { ALLOW, EACCES, EPERM, ENOENT }

  /**
   * The operations of the matrix. Those on a directory's entries act on {@code dir} (the directory) and
   * {@code target} (the entry, for delete and rename); those on a file act on {@code target} in {@code dir}.
   */
  enum Op {
    /** lstat of an entry of the directory: search on it. */
    STAT,
    /** lstat of a name the directory does not have: ENOENT, but only to who may search it (else EACCES). */
    STAT_MISSING,
    /** Reading the directory's names and the attributes of each (ls -l): read and search on it. */
    LIST,
    /** open(O_CREAT|O_EXCL) of a new name in the directory: write and search. */
    CREATE,
    /** mkdir of a new name in the directory: write and search. */
    MKDIR,
    /** unlink of an entry: write and search on the directory, and the sticky rule. */
    DELETE,
    /** rename of an entry to a new name in the same directory: as delete (plus create in the same directory). */
    RENAME,
    /** open(O_RDONLY) and read. */
    READ,
    /** open(O_WRONLY|O_TRUNC) and write. */
    WRITE,
    /** open(O_WRONLY|O_APPEND) and write. */
    APPEND,
    /** utimes(NULL): both times to now; the owner, or write permission. */
    TOUCH,
    /** utimes with explicit times: the owner only. */
    SET_TIMES,
    /** setxattr of a {@code user.} attribute on a regular file: write permission. */
    SETXATTR,
    /** chmod to the mode the file has: the owner only. */
    CHMOD,
    /** chown to another user: the superuser only. */
    CHOWN,
    /** chgrp to a group: the owner, if a member of that group. */
    CHGRP
  }

  /**
   * The outcome of {@code op} by {@code s}.
   *
   * @param newGroup the group a CHGRP asks for (ignored otherwise)
   */
  static Outcome expect(Op op, Subject s, Inode dir, Inode target, String newGroup) {
    return switch (op) {
      case STAT -> access(s, dir, X);
      case STAT_MISSING -> access(s, dir, X) == Outcome.ALLOW ? Outcome.ENOENT : Outcome.EACCES;
      case LIST -> access(s, dir, R | X);
      case CREATE, MKDIR -> access(s, dir, W | X);
      case DELETE, RENAME -> {
        Outcome parent = access(s, dir, W | X);
        yield parent != Outcome.ALLOW ? parent : sticky(s, dir, target);
      }
      case READ -> access(s, target, R);
      case WRITE, APPEND, SETXATTR -> access(s, target, W);
      case TOUCH -> s.superuser() || owns(s, target) ? Outcome.ALLOW : access(s, target, W);
      case CHMOD, SET_TIMES -> s.superuser() || owns(s, target) ? Outcome.ALLOW : Outcome.EPERM;
      case CHOWN -> s.superuser() ? Outcome.ALLOW : Outcome.EPERM;
      case CHGRP -> s.superuser() || (owns(s, target) && s.groups().contains(newGroup)) ? Outcome.ALLOW
          : Outcome.EPERM;
    };
  }

  private static Outcome access(Subject s, Inode inode, int want) {
    if (s.superuser()) {
      return Outcome.ALLOW;
    }
    int shift = owns(s, inode) ? 6 : s.groups().contains(inode.group()) ? 3 : 0;
    int bits = (inode.mode() >> shift) & 7;
    return (bits & want) == want ? Outcome.ALLOW : Outcome.EACCES;
  }

  /** In a sticky directory only the owner of the entry or of the directory may remove or rename it. */
  private static Outcome sticky(Subject s, Inode dir, Inode entry) {
    if (s.superuser() || (dir.mode() & STICKY) == 0 || owns(s, entry) || owns(s, dir)) {
      return Outcome.ALLOW;
    }
    return Outcome.EPERM;
  }

  private static boolean owns(Subject s, Inode inode) {
    return s.user().equals(inode.owner());
  }
}
