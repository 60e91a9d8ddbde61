package io.sluice.cli.fs;

import io.sluice.cli.JsonOutput;
import io.sluice.cli.OutputOptions;
import io.sluice.cli.Stdout;
import io.sluice.client.SluiceClient;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.ListStatusResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice fs ls [-l] [-R] PATH}: a directory's entries in name order (a file lists itself); with
 * {@code --output json} one {@link ListStatusResponse} holding them all.
 */
@Command(name = "ls", description = "List a directory.")
public final class LsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
      .withZone(ZoneId.systemDefault());

  @Mixin
  FsContext ctx;

  @Mixin
  OutputOptions output;

  @Option(names = "-l", description = "Long format: mode, owner, group, size, time, name.")
  boolean longFormat;

  @Option(names = "-R", description = "Also every directory under it, each after a 'PATH:' line (as ls -R).")
  boolean recursive;

  @Parameters(paramLabel = "PATH", defaultValue = "/", description = "Directory or file (default /).")
  String path;

  @Override
  public Integer call() {
    PrintWriter out = Stdout.writer();
    path = FsPaths.clean(path);
    try (SluiceClient client = ctx.connect()) {
      FileInfo self = client.getStatus(path);
      if (recursive && self.getType() == FileType.DIRECTORY) {
        listRecursively(client, out);
      } else if (output.json()) {
        out.println(JsonOutput.of(ListStatusResponse.newBuilder().addAllEntries(
            self.getType() == FileType.DIRECTORY ? client.listStatusAll(path) : List.of(self))));
      } else if (self.getType() != FileType.DIRECTORY) {
        print(out, self);
      } else {
        for (FileInfo f : client.listStatus(path)) {
          print(out, f);
        }
      }
    } catch (IOException e) {
      throw FsContext.failure(path, e);
    }
    out.flush();
    return 0;
  }

  /**
   * {@code -R}: every entry under the path, depth first in name order. As text, each directory's entries (none for
   * an empty one) under a {@code PATH:} line, a blank line between directories; as JSON one ListStatusResponse whose
   * entries are named by their path relative to the one listed.
   */
  private void listRecursively(SluiceClient client, PrintWriter out) throws IOException {
    ListStatusResponse.Builder json = ListStatusResponse.newBuilder();
    Deque<String> todo = new ArrayDeque<>();
    todo.push(path);
    boolean first = true;
    while (!todo.isEmpty()) {
      String dir = todo.pop();
      if (!output.json()) {
        out.println((first ? "" : "\n") + dir + ":");
      }
      first = false;
      List<String> subdirs = new ArrayList<>();
      for (FileInfo f : client.listStatus(dir)) {
        String child = TreeWalk.child(dir, f.getName());
        if (output.json()) {
          json.addEntries(f.toBuilder().setName(child.substring(path.equals("/") ? 1 : path.length() + 1)));
        } else {
          print(out, f);
        }
        if (f.getType() == FileType.DIRECTORY) {
          subdirs.add(child);
        }
      }
      for (int i = subdirs.size() - 1; i >= 0; i--) {
        todo.push(subdirs.get(i));
      }
    }
    if (output.json()) {
      out.println(JsonOutput.of(json));
    }
  }

  private void print(PrintWriter out, FileInfo f) {
    if (!longFormat) {
      out.println(f.getName() + (f.getType() == FileType.DIRECTORY ? "/" : ""));
      return;
    }
    out.printf("%s %-8s %-8s %12d %s %s%n", Modes.format(f), f.getOwner(), f.getGroup(), f.getLength(),
        TIME.format(Instant.ofEpochMilli(f.getMtimeMs())), f.getName());
  }
}
