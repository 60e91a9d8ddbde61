package io.sluice.fuse;

import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import java.nio.charset.StandardCharsets;
import ru.serce.jnrfuse.struct.FileStat;

/**
 * Fills a {@code struct stat} from a {@link FileInfo}: the type bits from its type, the permission bits (07777,
 * sticky and set-id included) as stored, and the owner and group mapped to local ids by {@link OwnerMapping}.
 */
final class Attributes {
  /** {@code st_blocks} counts 512-byte units whatever the file system's block size. */
  private static final long STAT_BLOCK = 512;

  private final OwnerMapping owners;

  Attributes(OwnerMapping owners) {
    this.owners = owners;
  }

  /**
   * @param length the length to report: the file's, or the bytes written so far when this mount is writing it
   *     (the master reports 0 until the file is complete)
   */
  void fill(FileStat st, FileInfo info, long length) {
    FileType type = info.getType();
    boolean dir = type == FileType.DIRECTORY;
    st.st_mode.set(typeBits(type) | (info.getMode() & 07777));
    st.st_ino.set(info.getId());
    st.st_nlink.set(info.getNlink() > 0 ? info.getNlink() : (dir ? 2 : 1));
    st.st_uid.set(owners.uid(info.getOwner()));
    st.st_gid.set(owners.gid(info.getGroup()));
    long size = switch (type) {
      case DIRECTORY -> 0;
      // lstat(2): a link's size is the length of its target, without a NUL; readlink -f and ls rely on it.
      case SYMLINK -> info.getSymlinkTarget().getBytes(StandardCharsets.UTF_8).length;
      default -> length;
    };
    st.st_size.set(size);
    // Without st_blocks tools like cp and tar would take a file for sparse and go looking for holes.
    st.st_blocks.set(type == FileType.SYMLINK ? 0 : (size + STAT_BLOCK - 1) / STAT_BLOCK);
    st.st_blksize.set(MountOptions.MAX_IO);
    setTime(st.st_mtim, info.getMtimeMs());
    setTime(st.st_atim, info.getAtimeMs() > 0 ? info.getAtimeMs() : info.getMtimeMs());
    setTime(st.st_ctim, info.getCtimeMs() > 0 ? info.getCtimeMs() : info.getMtimeMs());
  }

  static int typeBits(FileType type) {
    return switch (type) {
      case DIRECTORY -> FileStat.S_IFDIR;
      case SYMLINK -> FileStat.S_IFLNK;
      default -> FileStat.S_IFREG;
    };
  }

  private static void setTime(ru.serce.jnrfuse.struct.Timespec t, long ms) {
    t.tv_sec.set(Math.floorDiv(ms, 1000));
    t.tv_nsec.set(Math.floorMod(ms, 1000) * 1_000_000L);
  }
}
