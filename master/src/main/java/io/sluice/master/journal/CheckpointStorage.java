package io.sluice.master.journal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * The master's snapshots in Ratis's state machine directory: each one a RocksDB checkpoint directory
 * {@code checkpoint.TERM_INDEX} (hard links, so taking one costs little). Only the latest is kept. Ratis sends a
 * lagging follower the files of the latest one; on the follower they land in this same directory, where
 * {@link #latest()} finds them.
 */
final class CheckpointStorage implements StateMachineStorage {
  private static final Pattern NAME = Pattern.compile("checkpoint\\.(\\d+)_(\\d+)");

  private volatile File smDir;

  @Override
  public void init(RaftStorage raftStorage) {
    smDir = raftStorage.getStorageDir().getStateMachineDir();
  }

  /** Where the checkpoint of {@code ti} goes. */
  Path dirFor(TermIndex ti) {
    return smDir.toPath().resolve("checkpoint." + ti.getTerm() + "_" + ti.getIndex());
  }

  /** A scratch directory for a checkpoint being written, removed first if a crash left it. */
  Path scratch() throws IOException {
    Path tmp = smDir.toPath().resolve("checkpoint.tmp");
    deleteTree(tmp);
    return tmp;
  }

  /** The newest complete checkpoint directory and its term/index, or null. */
  Latest latest() {
    File dir = smDir;
    if (dir == null || !dir.isDirectory()) {
      return null;
    }
    Latest best = null;
    File[] entries = dir.listFiles();
    if (entries == null) {
      return null;
    }
    for (File f : entries) {
      Matcher m = NAME.matcher(f.getName());
      if (f.isDirectory() && m.matches()) {
        TermIndex ti = TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        if (best == null || ti.getIndex() > best.termIndex().getIndex()) {
          best = new Latest(f.toPath(), ti);
        }
      }
    }
    return best;
  }

  /** A checkpoint directory and the log position it holds. */
  record Latest(Path dir, TermIndex termIndex) {}

  @Override
  public SnapshotInfo getLatestSnapshot() {
    Latest l = latest();
    if (l == null) {
      return null;
    }
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(l.dir())) {
      s.sorted().forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
    } catch (IOException e) {
      return null; // removed under us by a newer checkpoint: Ratis asks again
    }
    return new FileListSnapshotInfo(files, l.termIndex());
  }

  @Override
  public void format() {
    // Nothing to prepare: checkpoints are created on demand.
  }

  /** Keeps only the newest checkpoint: the store itself is the live copy, older ones serve nobody. */
  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    Latest keep = latest();
    File[] entries = smDir.listFiles();
    if (keep == null || entries == null) {
      return;
    }
    for (File f : entries) {
      if (NAME.matcher(f.getName()).matches() && !f.toPath().equals(keep.dir())) {
        deleteTree(f.toPath());
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
