package io.sluice.fuse;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * Answers READ through libfuse's {@code read_buf}: bytes that lie in a block file on this host
 * ({@link OpenFile#localRange}; only bytes the client does not check) go back as a file-descriptor buffer,
 * which libfuse ({@code -o splice_write}) splices from the file into the kernel's reply, so they are never copied
 * through this process; anything else is read into memory as libfuse's own {@code read} path does.
 *
 * <p>Why: a sequential read through the daemon is kernel copy time, and on this VM a copy made in a JVM process
 * costs 1.4-1.65x what the same copy costs a C daemon (bench/RESULTS.md). libfuse frees the vector and its memory
 * buffers with {@code free} after replying, so both come from libc's {@code malloc}. The vector is written by
 * offset, not through jnr-fuse's {@code FuseBufvec}, which models the flags as one enum value where a descriptor
 * read at a position takes two.
 */
final class SplicedReplies {
  /** Native memory from libc, which libfuse frees. */
  public interface Libc {
    Pointer malloc(@size_t long size);

    void free(Pointer p);
  }

  /** struct fuse_bufvec (libfuse 2.9, LP64): size_t count, idx, off; then struct fuse_buf buf[1]. */
  private static final int VEC_COUNT = 0;
  private static final int VEC_IDX = 8;
  private static final int VEC_OFF = 16;
  /** struct fuse_buf: size_t size; enum fuse_buf_flags flags; void *mem; int fd; off_t pos. */
  private static final int BUF_SIZE = 24;
  private static final int BUF_FLAGS = 32;
  private static final int BUF_MEM = 40;
  private static final int BUF_FD = 48;
  private static final int BUF_POS = 56;
  private static final int VEC_BYTES = 64;
  /** FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK: read from the descriptor at pos, not at its file offset. */
  private static final int FD_AT_POS = 2 | 4;

  private final Libc libc = LibraryLoader.create(Libc.class).load("c");
  private final RequestBuffers buffers;
  private final ReplyHolds holds = new ReplyHolds();
  private final LongAdder splicedBytes = new LongAdder();

  /** @param buffers the views of request buffers that the mount's other reads use too */
  SplicedReplies(RequestBuffers buffers) {
    this.buffers = buffers;
  }

  /**
   * Bytes answered as block file ranges. libfuse splices them when the kernel granted splice_write; it copies them
   * itself, still without this process's copy, below two pages or when the splice fails.
   */
  long splicedBytes() {
    return splicedBytes.sum();
  }

  /**
   * Fills {@code *bufp} with the answer to a READ of {@code size} bytes at {@code offset} of {@code f}.
   *
   * @param scratch as for {@link OpenFile#read}
   * @return the bytes answered (0 at the end of the file); a failure throws, and {@code *bufp} is left unset
   */
  int reply(OpenFile f, Pointer bufp, int size, long offset, byte[] scratch) throws IOException {
    Pointer vec = allocate(VEC_BYTES);
    int answered;
    try {
      OpenFile.SplicedRange r = f.localRange(offset, size, holds);
      if (r != null) {
        fill(vec, r.length(), FD_AT_POS, 0, r.fd(), r.position());
        splicedBytes.add(r.length());
        answered = r.length();
      } else {
        Pointer mem = allocate(size);
        try {
          int n = f.read(offset, buffers.view(mem, size), scratch);
          fill(vec, n, 0, mem.address(), -1, 0);
          answered = n;
        } catch (IOException | RuntimeException e) {
          libc.free(mem);
          throw e;
        }
      }
    } catch (IOException | RuntimeException e) {
      libc.free(vec);
      throw e;
    }
    bufp.putPointer(0, vec);
    return answered;
  }

  /**
   * The request this thread served has been answered (libfuse sent the reply, spliced or not): lets go of the block
   * file and lease a spliced reply named. Called by the mount's loop after every request.
   */
  void requestDone() {
    holds.requestDone();
  }

  private static void fill(Pointer vec, long size, int flags, long mem, int fd, long pos) {
    vec.putLong(VEC_COUNT, 1);
    vec.putLong(VEC_IDX, 0);
    vec.putLong(VEC_OFF, 0);
    vec.putLong(BUF_SIZE, size);
    vec.putInt(BUF_FLAGS, flags);
    vec.putAddress(BUF_MEM, mem);
    vec.putInt(BUF_FD, fd);
    vec.putLong(BUF_POS, pos);
  }

  private Pointer allocate(long bytes) throws ErrnoException {
    Pointer p = libc.malloc(bytes);
    if (p == null || p.address() == 0) {
      throw new ErrnoException(ErrorCodes.ENOMEM(), "cannot allocate " + bytes + " bytes for a read reply");
    }
    return p;
  }
}
