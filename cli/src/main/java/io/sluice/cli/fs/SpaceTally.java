package io.sluice.cli.fs;

import io.sluice.cli.JsonOutput;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.rpc.RpcException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What is at and under a path, for {@code du} and {@code count}: directories (the path itself included when it is
 * one), files (symbolic links count as files, and are not followed) and the files' bytes. Walks the tree
 * iteratively a listing page at a time, so neither depth nor width is bounded by the stack or the heap.
 *
 * @param path the path as typed, cleaned
 */
record SpaceTally(String path, long dirs, long files, long bytes) {
  static SpaceTally of(SluiceClient client, String path) throws RpcException {
    FileInfo self = client.getStatus(path);
    if (self.getType() != FileType.DIRECTORY) {
      return new SpaceTally(path, 0, 1, self.getLength());
    }
    long dirs = 0;
    long files = 0;
    long bytes = 0;
    Deque<String> todo = new ArrayDeque<>();
    todo.push(path);
    while (!todo.isEmpty()) {
      String dir = todo.pop();
      dirs++;
      for (FileInfo f : client.listStatus(dir)) {
        if (f.getType() == FileType.DIRECTORY) {
          todo.push((dir.equals("/") ? "" : dir) + "/" + f.getName());
        } else {
          files++;
          bytes += f.getLength();
        }
      }
    }
    return new SpaceTally(path, dirs, files, bytes);
  }

  /** {@code {"path", "dirs", "files", "bytes"}}, counts as strings like the proto3 mapping's int64. */
  String json() {
    return JsonOutput.object().put("path", path).put("dirs", dirs).put("files", files).put("bytes", bytes)
        .toString();
  }
}
