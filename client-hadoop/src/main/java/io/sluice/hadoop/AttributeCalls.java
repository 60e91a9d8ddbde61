package io.sluice.hadoop;

import io.sluice.common.proto.SetXattrRequest;
import io.sluice.common.rpc.RpcException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.XAttrSetFlag;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * {@link SluiceFileSystem}'s calls that change or read a path's attributes rather than its contents: permission,
 * owner, times and extended attributes. Each counts one Hadoop read or write op, as the facade's other calls do.
 */
final class AttributeCalls {
  /** HDFS's error text for an absent xattr, which callers may match on. */
  private static final String XATTR_NOT_FOUND = "At least one of the attributes provided was not found.";

  private final CallContext ctx;

  AttributeCalls(CallContext ctx) {
    this.ctx = ctx;
  }

  void setPermission(Path p, FsPermission permission) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    try {
      ctx.client().setMode(ctx.pathOf(p), permission.toShort() & 07777);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, p);
    }
  }

  /** Null leaves the owner or the group as it is. */
  void setOwner(Path p, String username, String groupname) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    try {
      ctx.client().setOwner(ctx.pathOf(p), username, groupname);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, p);
    }
  }

  /** Epoch milliseconds; -1 leaves a time as it is. */
  void setTimes(Path p, long mtime, long atime) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    try {
      ctx.client().setTimes(ctx.pathOf(p), mtime, atime);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, p);
    }
  }

  /** Hadoop's flags as the master's mode: both flags mean either, neither means CREATE; a null value is empty. */
  void setXAttr(Path path, String name, byte[] value, EnumSet<XAttrSetFlag> flag) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    SetXattrRequest.Mode mode;
    if (flag.contains(XAttrSetFlag.CREATE) && flag.contains(XAttrSetFlag.REPLACE)) {
      mode = SetXattrRequest.Mode.ANY;
    } else if (flag.contains(XAttrSetFlag.REPLACE)) {
      mode = SetXattrRequest.Mode.REPLACE;
    } else {
      mode = SetXattrRequest.Mode.CREATE;
    }
    try {
      ctx.client().setXattr(ctx.pathOf(path), name, value == null ? new byte[0] : value, mode);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }

  /** @throws IOException (HDFS's message) when {@code name} is not set */
  byte[] getXAttr(Path path, String name) throws IOException {
    byte[] value = getXAttrs(path).get(name);
    if (value == null) {
      throw new IOException(XATTR_NOT_FOUND + " " + path + ": " + name);
    }
    return value;
  }

  Map<String, byte[]> getXAttrs(Path path) throws IOException {
    ctx.statistics().incrementReadOps(1);
    try {
      return ctx.client().getXattrs(ctx.pathOf(path));
    } catch (RpcException e) {
      throw ErrorMapper.lookup(e, path);
    }
  }

  /** @throws IOException (HDFS's message) when any of {@code names} is not set */
  Map<String, byte[]> getXAttrs(Path path, List<String> names) throws IOException {
    Map<String, byte[]> all = getXAttrs(path);
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : names) {
      byte[] value = all.get(name);
      if (value == null) {
        throw new IOException(XATTR_NOT_FOUND + " " + path + ": " + name);
      }
      out.put(name, value);
    }
    return out;
  }

  List<String> listXAttrs(Path path) throws IOException {
    return new ArrayList<>(getXAttrs(path).keySet());
  }

  void removeXAttr(Path path, String name) throws IOException {
    ctx.statistics().incrementWriteOps(1);
    try {
      ctx.client().removeXattr(ctx.pathOf(path), name);
    } catch (RpcException e) {
      throw ErrorMapper.map(e, path);
    }
  }
}
