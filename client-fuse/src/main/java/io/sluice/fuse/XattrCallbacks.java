package io.sluice.fuse;

import static io.sluice.fuse.CallbackErrors.fail;

import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;

/**
 * The xattr callbacks of {@link SluiceFuse}: setxattr, getxattr, listxattr and removexattr, each timed in
 * {@link FuseOpMetrics} around its call to {@link ExtendedAttributes}, which holds the Linux conventions.
 */
final class XattrCallbacks {
  private final ExtendedAttributes xattrs;
  private final FuseOpMetrics ops;

  XattrCallbacks(ExtendedAttributes xattrs, FuseOpMetrics ops) {
    this.xattrs = xattrs;
    this.ops = ops;
  }

  int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    long start = System.nanoTime();
    return ops.done(FuseOp.SETXATTR, start, doSetxattr(path, name, value, size, flags));
  }

  private int doSetxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    try {
      NewNames.checkText(name);
      byte[] v = new byte[(int) size];
      value.get(0, v, 0, v.length);
      xattrs.set(path, name, v, flags);
      return 0;
    } catch (Exception e) {
      return fail("setxattr", path, e);
    }
  }

  int getxattr(String path, String name, Pointer value, @size_t long size) {
    long start = System.nanoTime();
    return ops.done(FuseOp.GETXATTR, start, doGetxattr(path, name, value, size));
  }

  private int doGetxattr(String path, String name, Pointer value, @size_t long size) {
    try {
      return xattrs.get(path, name, value, size);
    } catch (Exception e) {
      return fail("getxattr", path, e);
    }
  }

  int listxattr(String path, Pointer list, @size_t long size) {
    long start = System.nanoTime();
    return ops.done(FuseOp.LISTXATTR, start, doListxattr(path, list, size));
  }

  private int doListxattr(String path, Pointer list, @size_t long size) {
    try {
      return xattrs.list(path, list, size);
    } catch (Exception e) {
      return fail("listxattr", path, e);
    }
  }

  int removexattr(String path, String name) {
    long start = System.nanoTime();
    return ops.done(FuseOp.REMOVEXATTR, start, doRemovexattr(path, name));
  }

  private int doRemovexattr(String path, String name) {
    try {
      xattrs.remove(path, name);
      return 0;
    } catch (Exception e) {
      return fail("removexattr", path, e);
    }
  }
}
