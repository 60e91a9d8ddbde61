package io.sluice.master.namespace;

import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetXattrsResponse;
import io.sluice.common.proto.RemoveXattrRequest;
import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import io.sluice.master.proto.ApplyResult;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.JournalEntry;
import io.sluice.master.proto.RemoveXattrEntry;
import io.sluice.master.proto.SetXattrEntry;
import io.sluice.master.store.NamespaceReader;
import io.sluice.master.store.StoreBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Extended attributes, with Linux's rules: a name is {@code namespace.rest} with namespace user, trusted, security
 * or system; {@code user.} attributes need read permission to get and write permission to set or remove (and only
 * on files and directories), the other namespaces are the superuser's to change. Values up to
 * {@value #MAX_VALUE_BYTES} bytes (Linux's XATTR_SIZE_MAX), names up to {@value #MAX_NAME_BYTES} bytes, and an inode
 * holds at most {@value #MAX_TOTAL_BYTES} bytes of them, which bounds the inode record.
 */
public final class XattrOps {
  static final int MAX_NAME_BYTES = 255;
  static final int MAX_VALUE_BYTES = 65536;
  static final int MAX_TOTAL_BYTES = 256 * 1024;
  private static final List<String> NAMESPACES = List.of("user.", "trusted.", "security.", "system.");

  private XattrOps() {}

  public static Prepared prepareSet(SetXattrRequest req, Caller caller, LeaderContext ctx) throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    checkName(path, req.getName());
    if (req.getValue().size() > MAX_VALUE_BYTES) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": xattr value of " + req.getValue().size()
          + " bytes exceeds " + MAX_VALUE_BYTES);
    }
    SetXattrEntry e = SetXattrEntry.newBuilder().setPath(path.toString()).setName(req.getName())
        .setValue(req.getValue()).setMode(req.getMode()).setTimeMs(ctx.clock().millis()).build();
    checkSet(ctx.store().reader(), e, caller);
    return Prepared.propose(JournalEntry.newBuilder().setSetXattr(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult applySet(SetXattrEntry e, Caller caller, StoreBatch b) throws RpcException {
    InodeRecord inode = checkSet(b, e, caller);
    InodeRecord updated = inode.toBuilder().putXattrs(e.getName(), e.getValue()).setCtimeMs(e.getTimeMs()).build();
    b.updateInode(updated);
    return ApplyResults.ok(Inodes.toFileInfo(updated), List.of());
  }

  public static Prepared prepareRemove(RemoveXattrRequest req, Caller caller, LeaderContext ctx)
      throws RpcException {
    NamespacePath path = NamespacePath.parse(req.getPath());
    checkName(path, req.getName());
    RemoveXattrEntry e = RemoveXattrEntry.newBuilder().setPath(path.toString()).setName(req.getName())
        .setTimeMs(ctx.clock().millis()).build();
    checkRemove(ctx.store().reader(), e, caller);
    return Prepared.propose(JournalEntry.newBuilder().setRemoveXattr(e).setCaller(caller.toProto()).build());
  }

  public static ApplyResult applyRemove(RemoveXattrEntry e, Caller caller, StoreBatch b) throws RpcException {
    InodeRecord inode = checkRemove(b, e, caller);
    InodeRecord updated = inode.toBuilder().removeXattrs(e.getName()).setCtimeMs(e.getTimeMs()).build();
    b.updateInode(updated);
    return ApplyResults.ok(Inodes.toFileInfo(updated), List.of());
  }

  /** Every attribute the caller may read: {@code user.} ones need read permission, the others are visible. */
  public static GetXattrsResponse get(NamespaceReader reader, String p, Caller caller) throws RpcException {
    NamespacePath path = NamespacePath.parse(p);
    InodeRecord inode = PathResolver.resolve(reader, path, caller);
    if (inode.getXattrsCount() > 0 && inode.getXattrsMap().keySet().stream().anyMatch(n -> n.startsWith("user."))) {
      Permissions.check(caller, inode, Permissions.READ, path);
    }
    return GetXattrsResponse.newBuilder().putAllXattrs(inode.getXattrsMap()).build();
  }

  private static InodeRecord checkSet(NamespaceReader reader, SetXattrEntry e, Caller caller) throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    InodeRecord inode = PathResolver.resolve(reader, path, caller);
    checkWrite(inode, path, e.getName(), caller);
    boolean present = inode.containsXattrs(e.getName());
    if (e.getMode() == SetXattrRequest.Mode.CREATE && present) {
      throw new RpcException(Status.ALREADY_EXISTS, path + ": xattr " + e.getName() + " exists");
    }
    if (e.getMode() == SetXattrRequest.Mode.REPLACE && !present) {
      throw new RpcException(Status.NOT_FOUND, path + ": no xattr " + e.getName());
    }
    long total = 0;
    for (var x : inode.getXattrsMap().entrySet()) {
      if (!x.getKey().equals(e.getName())) {
        total += x.getKey().length() + x.getValue().size();
      }
    }
    if (total + e.getName().length() + e.getValue().size() > MAX_TOTAL_BYTES) {
      throw new RpcException(Status.NO_SPACE, path + ": xattrs would exceed " + MAX_TOTAL_BYTES + " bytes");
    }
    return inode;
  }

  private static InodeRecord checkRemove(NamespaceReader reader, RemoveXattrEntry e, Caller caller)
      throws RpcException {
    NamespacePath path = NamespacePath.parse(e.getPath());
    InodeRecord inode = PathResolver.resolve(reader, path, caller);
    checkWrite(inode, path, e.getName(), caller);
    if (!inode.containsXattrs(e.getName())) {
      throw new RpcException(Status.NOT_FOUND, path + ": no xattr " + e.getName());
    }
    return inode;
  }

  private static void checkWrite(InodeRecord inode, NamespacePath path, String name, Caller caller)
      throws RpcException {
    if (!name.startsWith("user.")) {
      if (!caller.superuser()) {
        throw Permissions.denied(caller, path, "changing xattr " + name + " (superuser only)", inode);
      }
      return;
    }
    if (inode.getType() == FileType.SYMLINK) {
      throw new RpcException(Status.PERMISSION_DENIED, path + ": user xattrs are not allowed on symlinks");
    }
    Permissions.check(caller, inode, Permissions.WRITE, path);
  }

  private static void checkName(NamespacePath path, String name) throws RpcException {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    boolean known = NAMESPACES.stream().anyMatch(ns -> name.startsWith(ns) && name.length() > ns.length());
    if (!known || bytes > MAX_NAME_BYTES || name.indexOf('\0') >= 0) {
      throw new RpcException(Status.INVALID_ARGUMENT, path + ": bad xattr name '" + name
          + "' (namespace.name with namespace user, trusted, security or system; at most " + MAX_NAME_BYTES
          + " bytes)");
    }
  }
}
