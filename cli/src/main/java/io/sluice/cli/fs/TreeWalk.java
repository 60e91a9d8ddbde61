package io.sluice.cli.fs;

import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A path and, for the {@code -R} of {@code ls}, {@code chmod} and {@code chown}, everything under it: each
 * directory before its entries, entries in name order, depth first as {@code ls -R} prints them. Symbolic links are
 * visited, never followed. Iterative, a listing page at a time, so neither depth nor width is bounded by the stack.
 */
final class TreeWalk {
  /** Called for every path visited, with its status. */
  interface Visitor {
    void visit(String path, FileInfo info) throws IOException;
  }

  private TreeWalk() {}

  /** Visits {@code path}, then (when {@code recursive} and it is a directory) everything under it. */
  static void walk(SluiceClient client, String path, boolean recursive, Visitor visitor) throws IOException {
    FileInfo self = client.getStatus(path);
    visitor.visit(path, self);
    if (!recursive || self.getType() != FileType.DIRECTORY) {
      return;
    }
    Deque<String> todo = new ArrayDeque<>();
    todo.push(path);
    while (!todo.isEmpty()) {
      String dir = todo.pop();
      List<String> subdirs = new ArrayList<>();
      for (FileInfo f : client.listStatus(dir)) {
        String child = child(dir, f.getName());
        visitor.visit(child, f);
        if (f.getType() == FileType.DIRECTORY) {
          subdirs.add(child);
        }
      }
      for (int i = subdirs.size() - 1; i >= 0; i--) {
        todo.push(subdirs.get(i)); // the first in name order is walked next
      }
    }
  }

  static String child(String dir, String name) {
    return (dir.equals("/") ? "" : dir) + "/" + name;
  }
}
