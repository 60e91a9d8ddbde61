package io.sluice.fuse;

import io.sluice.client.FileEditor;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The one {@link FileEditor} each file being changed in place through this mount has, shared by every handle that
 * writes it: two descriptors of one file then see each other's writes at once, as on a local file system, and the
 * change reaches the master as one commit per {@code close(2)} or {@code fsync(2)} (DESIGN §3: close-to-open
 * consistency). The editor is closed, committing what is left, when its last handle is released.
 */
final class SharedEditors {
  private static final class Shared {
    final FileEditor editor;
    int handles;

    Shared(FileEditor editor) {
      this.editor = editor;
    }
  }

  private final SluiceClient client;
  private final Map<String, Shared> byPath = new HashMap<>();

  SharedEditors(SluiceClient client) {
    this.client = client;
  }

  /**
   * The editor of the file at {@code path}, opened now when no handle holds one; the caller holds it until
   * {@link #release}. A file under a mount cannot be changed in place (its UFS copy is written whole): ENOTSUP.
   */
  synchronized FileEditor acquire(String path) throws IOException {
    Shared s = byPath.get(path);
    if (s == null) {
      FileInfo info = client.getStatus(path);
      if (info.getMountId() != 0) {
        throw new ErrnoException(Errno.notSupported(), path + ": under a mount files can only be written whole "
            + "(open with O_TRUNC), not changed in place");
      }
      s = new Shared(client.edit(path));
      byPath.put(path, s);
    }
    s.handles++;
    return s.editor;
  }

  /** Drops one handle's hold; the last one closes the editor, committing its changes. */
  synchronized void release(FileEditor editor) throws IOException {
    Shared s = byPath.get(editor.path());
    if (s == null || s.editor != editor) {
      return;
    }
    if (--s.handles == 0) {
      byPath.remove(editor.path());
      editor.close();
    }
  }

  /** The editor some handle holds for {@code path}, or null. */
  synchronized FileEditor active(String path) {
    Shared s = byPath.get(path);
    return s == null ? null : s.editor;
  }

  /** Makes editors of files at or under {@code from} follow its rename to {@code to}. */
  synchronized void renamed(String from, String to) {
    Map<String, Shared> moved = new HashMap<>();
    byPath.entrySet().removeIf(e -> {
      String p = e.getKey();
      String target = p.equals(from) ? to : p.startsWith(from + "/") ? to + p.substring(from.length()) : null;
      if (target == null) {
        return false;
      }
      e.getValue().editor.renamed(target);
      moved.put(target, e.getValue());
      return true;
    });
    byPath.putAll(moved);
  }
}
