package io.sluice.master.store;

import io.sluice.master.proto.JobRecord;
import io.sluice.master.proto.MountRecord;
import io.sluice.master.proto.InodeRecord;
import io.sluice.master.proto.VersionRecord;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Read access to the inode tree: the latest committed state, a point-in-time snapshot, or a batch being built (which
 * sees its own writes). Failures of the underlying store surface as {@link StoreException}.
 */
public interface NamespaceReader {
  /** One child of a directory: its name and inode id. */
  record Child(String name, long id) {}

  /** One name of an inode: the directory holding it and the name there. */
  record Name(long parentId, String name) {}

  /** A block version's id and record. */
  record Version(long blockId, VersionRecord record) {}

  Optional<InodeRecord> inode(long id);

  /** The recorded first outcome of a client's deduplicated mutation, if it was applied and has not expired. */
  Optional<io.sluice.master.proto.ApplyResult> requestResult(String clientId, long requestId);

  /** The id of {@code name} in directory {@code parentId}, if there is such an entry. */
  OptionalLong childId(long parentId, String name);

  /**
   * Children of {@code dirId} in UTF-8 byte order of their names, starting after {@code startAfter} (empty: from the
   * first), at most {@code limit}.
   */
  List<Child> children(long dirId, String startAfter, int limit);

  /** Every mount, in mount id order (a handful: the table is scanned whole). */
  List<MountRecord> mounts();

  /** Every job record, in job id order (the leader keeps the table short). */
  List<JobRecord> jobs();

  Optional<JobRecord> job(long jobId);

  /** Up to {@code limit} ids of inodes with a TTL, in id order, after {@code after} (0: from the start). */
  List<Long> ttlInodes(long after, int limit);

  /** The record of block version {@code blockId}, if it is allocated and has not left its file. */
  Optional<VersionRecord> version(long blockId);

  /** Up to {@code limit} block version records, in id order, after id {@code after} (0: from the start). */
  List<Version> versions(long after, int limit);

  /**
   * Up to {@code limit} names of inode {@code inodeId}, in (parent id, name) order, when it has several (hard
   * links); empty for an inode with one name, whose record holds it.
   */
  List<Name> links(long inodeId, int limit);

  /** Whether {@code dirId} has at least one child. */
  default boolean hasChildren(long dirId) {
    return !children(dirId, "", 1).isEmpty();
  }
}
