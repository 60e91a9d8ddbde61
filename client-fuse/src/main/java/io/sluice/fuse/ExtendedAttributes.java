package io.sluice.fuse;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * The xattr callbacks over the client's xattr calls, with the Linux conventions the client does not know: a missing
 * attribute is ENODATA, and getxattr/listxattr answer a size-0 request with the size needed and a too-small buffer
 * with ERANGE ({@link #reply}).
 *
 * <p>POSIX ACLs ({@code system.posix_acl_*}) are refused with ENOTSUP: the kernel would not enforce a stored ACL
 * (the mount does not negotiate FUSE_POSIX_ACL), and ENOTSUP is what {@code cp -a} and {@code tar} expect from a file
 * system without ACLs.
 */
final class ExtendedAttributes {
  static final int XATTR_CREATE = 1;
  static final int XATTR_REPLACE = 2;
  private static final String ACL_PREFIX = "system.posix_acl_";

  private final SluiceClient client;
  private final RecentStatuses statuses;

  /**
   * @param statuses recent statuses: one that counts no xattrs, or a recent xattr call that found none, answers a
   *     get or list without asking the master
   */
  ExtendedAttributes(SluiceClient client, RecentStatuses statuses) {
    this.client = client;
    this.statuses = statuses;
  }

  void set(String path, String name, byte[] value, int flags) throws IOException {
    refuseAcl(path, name);
    SetXattrRequest.Mode mode = switch (flags & (XATTR_CREATE | XATTR_REPLACE)) {
      case 0 -> SetXattrRequest.Mode.ANY;
      case XATTR_CREATE -> SetXattrRequest.Mode.CREATE;
      case XATTR_REPLACE -> SetXattrRequest.Mode.REPLACE;
      default -> throw new ErrnoException(ErrorCodes.EINVAL(), path + ": XATTR_CREATE with XATTR_REPLACE");
    };
    try {
      client.setXattr(path, name, value, mode);
    } catch (RpcException e) {
      throw missingAttribute(e, path, name);
    }
  }

  /** getxattr: the value's size, copied into {@code buf} unless {@code size} is 0. */
  int get(String path, String name, Pointer buf, long size) throws IOException {
    refuseAcl(path, name);
    // ls -l probes every entry it lists for a security label, and the kernel every file it writes to for
    // security.capability: most files have no xattrs, and a fresh status or xattr call says so.
    byte[] value = statuses.hasNoXattrs(path) ? null : fetch(path).get(name);
    if (value == null) {
      throw new ErrnoException(Errno.noAttribute(), path + ": no xattr " + name);
    }
    return reply(value, buf, size);
  }

  /** listxattr: the names, each NUL-terminated, as {@link #get} replies. */
  int list(String path, Pointer buf, long size) throws IOException {
    Map<String, byte[]> all = statuses.hasNoXattrs(path) ? Map.of() : fetch(path);
    ByteArrayOutputStream names = new ByteArrayOutputStream();
    for (String name : all.keySet()) {
      names.writeBytes(name.getBytes(StandardCharsets.UTF_8));
      names.write(0);
    }
    return reply(names.toByteArray(), buf, size);
  }

  void remove(String path, String name) throws IOException {
    refuseAcl(path, name);
    try {
      client.removeXattr(path, name);
    } catch (RpcException e) {
      throw missingAttribute(e, path, name);
    }
  }

  /**
   * The size-query protocol of getxattr(2)/listxattr(2): {@code size} 0 asks for the length only; a buffer too small
   * is ERANGE (returned negated); otherwise the bytes are copied and their count returned.
   */
  static int reply(byte[] data, Pointer buf, long size) {
    if (size == 0) {
      return data.length;
    }
    if (data.length > size) {
      return -ErrorCodes.ERANGE();
    }
    buf.put(0, data, 0, data.length);
    return data.length;
  }

  /** The master's xattrs of {@code path}; none is kept in the statuses for the next probe. */
  private Map<String, byte[]> fetch(String path) throws IOException {
    long generation = statuses.xattrGeneration();
    Map<String, byte[]> all = client.getXattrs(path);
    if (all.isEmpty()) {
      statuses.putNoXattrs(path, generation);
    }
    return all;
  }

  private static void refuseAcl(String path, String name) throws ErrnoException {
    if (name.startsWith(ACL_PREFIX)) {
      throw new ErrnoException(Errno.notSupported(), path + ": POSIX ACLs are not supported (" + name + ")");
    }
  }

  /**
   * The client says NOT_FOUND both for a missing path and a missing attribute. The kernel looked the path up just
   * before, so it is almost always the attribute; a getStatus tells them apart for certain (its NOT_FOUND is ENOENT).
   */
  private IOException missingAttribute(RpcException e, String path, String name) throws RpcException {
    if (e.status() != Status.NOT_FOUND) {
      return e;
    }
    client.getStatus(path);
    return new ErrnoException(Errno.noAttribute(), path + ": no xattr " + name);
  }
}
