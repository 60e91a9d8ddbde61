package io.sluice.fuse;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import ru.serce.jnrfuse.struct.FileStat;

/**
 * Fills a {@code struct stat} from a {@link FileInfo}. Owner and group are shown as the user running the mount:
 * Sluice names owners as strings, and mapping them to local ids is not done yet.
 */
final class Attributes {
  /** {@code st_blocks} counts 512-byte units whatever the file system's block size. */
  private static final long STAT_BLOCK = 512;

  private final long uid;
  private final long gid;

  Attributes(long uid, long gid) {
    this.uid = uid;
    this.gid = gid;
  }

  /**
   * @param length the length to report: the file's, or the bytes written so far when this mount is writing it
   *     (the master reports 0 until the file is complete)
   */
  void fill(FileStat st, FileInfo info, long length) {
    boolean dir = info.getType() == FileType.DIRECTORY;
    int perm = info.getMode() & 07777;
    if (perm == 0) {
      perm = dir ? 0755 : 0644;
    }
    st.st_mode.set((dir ? FileStat.S_IFDIR : FileStat.S_IFREG) | perm);
    st.st_ino.set(info.getId());
    st.st_nlink.set(info.getNlink() > 0 ? info.getNlink() : (dir ? 2 : 1));
    st.st_uid.set(uid);
    st.st_gid.set(gid);
    long size = dir ? 0 : length;
    st.st_size.set(size);
    // Without st_blocks tools like cp and tar would take a file for sparse and go looking for holes.
    st.st_blocks.set((size + STAT_BLOCK - 1) / STAT_BLOCK);
    st.st_blksize.set(MountOptions.MAX_IO);
    setTime(st.st_mtim, info.getMtimeMs());
    setTime(st.st_atim, info.getAtimeMs() > 0 ? info.getAtimeMs() : info.getMtimeMs());
    setTime(st.st_ctim, info.getCtimeMs() > 0 ? info.getCtimeMs() : info.getMtimeMs());
  }

  private static void setTime(ru.serce.jnrfuse.struct.Timespec t, long ms) {
    t.tv_sec.set(Math.floorDiv(ms, 1000));
    t.tv_nsec.set(Math.floorMod(ms, 1000) * 1_000_000L);
  }
}
