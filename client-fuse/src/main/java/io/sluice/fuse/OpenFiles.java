package io.sluice.fuse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The handle table: what each FUSE {@code fh} number stands for, an {@link OpenFile} or a {@link DirectoryHandle}.
 * Numbers start at 1 and are never reused while the mount lives, so a stale {@code fh} finds nothing (EBADF)
 * rather than someone else's file.
 */
final class OpenFiles {
  private final Map<Long, Object> handles = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong(1);

  long add(Object handle) {
    long fh = next.getAndIncrement();
    handles.put(fh, handle);
    return fh;
  }

  /** The handle {@code fh} names if it is a {@code type}, else null. */
  <T> T get(long fh, Class<T> type) {
    Object h = handles.get(fh);
    return type.isInstance(h) ? type.cast(h) : null;
  }

  /** Forgets {@code fh}; returns what it named, or null. */
  Object remove(long fh) {
    return handles.remove(fh);
  }

  int size() {
    return handles.size();
  }

  /**
   * The length a file open for writing here has reached, or -1. The master reports 0 until the file is complete,
   * so attributes must come from the writer meanwhile. A scan: open handles are few, and a map by path would have
   * to follow renames too.
   */
  long writingLength(String path) {
    long len = -1;
    for (Object h : handles.values()) {
      if (h instanceof OpenFile f && f.path().equals(path)) {
        len = Math.max(len, f.writingLength());
      }
    }
    return len;
  }

  /** The handles of this mount writing the file at {@code path} (fast path or editor). */
  java.util.List<OpenFile> writers(String path) {
    java.util.List<OpenFile> out = new java.util.ArrayList<>();
    for (Object h : handles.values()) {
      if (h instanceof OpenFile f && f.path().equals(path) && f.writing()) {
        out.add(f);
      }
    }
    return out;
  }

  /** The handle of this mount writing the file at {@code path} on the fast path (not yet completed), or null. */
  OpenFile streamingWriter(String path) {
    for (Object h : handles.values()) {
      if (h instanceof OpenFile f && f.path().equals(path) && f.writingLength() >= 0) {
        return f;
      }
    }
    return null;
  }

  /** Makes every handle of the file at {@code path} read it anew: this mount just changed it. */
  void dropReadStreams(String path) throws java.io.IOException {
    for (Object h : handles.values()) {
      if (h instanceof OpenFile f && f.path().equals(path)) {
        f.dropReadStream();
      }
    }
  }

  /** Makes open files under {@code from} follow its rename to {@code to}. */
  void renamed(String from, String to) {
    for (Object h : handles.values()) {
      if (h instanceof OpenFile f) {
        String p = f.path();
        if (p.equals(from)) {
          f.renamed(to);
        } else if (p.startsWith(from + "/")) {
          f.renamed(to + p.substring(from.length()));
        }
      }
    }
  }

  /** Every handle, for closing them when the mount goes away. */
  Iterable<Object> all() {
    return handles.values();
  }
}
