package io.sluice.fuse.loop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * Serves a FUSE mount on a fixed set of Java threads, started once and attached to the JVM for the mount's life.
 *
 * <p>The threads take turns at receiving (leader/follower): the one holding the turn reads the next request from
 * the kernel and serves it before reading the next, so requests are served one at a time in the kernel's order,
 * as libfuse's single-threaded loop would: metadata changes, writes, opens and releases keep the ordering the mount's
 * close-to-open reasoning relies on (see {@code OpenFile}). The exception is a READ of a handle that {@code
 * concurrentRead} accepts (a file open only for reading): its thread passes the turn on first and then serves it,
 * so reads of different open files (or of one file by several readers) run side by side on all cores, and beside
 * the ordered requests; only when the READ is of another handle than the one before (see {@link #passTurn}). A
 * thread keeps the turn across the requests it serves in order, so while nothing runs concurrently the others sleep
 * and the loop costs what one thread would. No request changes hands between threads.
 *
 * <p>libfuse's own multi-threaded loop was not used: it starts a native thread whenever all are busy and ends it
 * when more than ten are idle, and each such thread entering Java became a new JVM thread (70,000 in one fio run,
 * DESIGN §10); here the thread count is fixed. Each thread owns one native buffer for its request (a {@code struct
 * fuse_buf} and libfuse's channel buffer size of data), reused.
 */
public final class SessionLoop {
  private static final Logger LOG = LoggerFactory.getLogger(SessionLoop.class);
  /** The request buffer of the serving thread that calls: where a callback finds what libfuse does not pass it. */
  private static final ThreadLocal<Request> SERVING = new ThreadLocal<>();
  /** FUSE_READ in the kernel's fuse_in_header.opcode. */
  private static final int FUSE_READ = 15;
  /**
   * Offsets in a request: fuse_in_header.opcode, .unique and .nodeid (the inode the request is about), and
   * fuse_read_in.fh right after the 40-byte header.
   */
  private static final int OPCODE_OFFSET = 4;
  private static final int UNIQUE_OFFSET = 8;
  private static final int NODEID_OFFSET = 16;
  private static final int READ_FH_OFFSET = 40;
  /** struct fuse_buf (fuse_common.h, 2.9) on LP64: size_t size, int flags, void *mem, int fd, off_t pos. */
  private static final int FUSE_BUF_SIZE = 40;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;

  private final LibFuseSession lib;
  private final Pointer fuse;
  private final Pointer mountpoint;
  private final Pointer session;
  private final LongPredicate concurrentRead;
  /** Run on a serving thread after each request it served, once libfuse has sent the reply. */
  private final Runnable afterRequest;
  /** The turn to receive: held from a receive until its request is served, or only until a concurrent READ is in. */
  private final ReentrantLock turn = new ReentrantLock();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger running;
  /** The handle of the last READ received; written and read only by the thread holding the turn. */
  private long lastReadFh = -1;

  private SessionLoop(LibFuseSession lib, Pointer fuse, Pointer mountpoint, int threadCount,
      LongPredicate concurrentRead, Runnable afterRequest, String name) {
    this.lib = lib;
    this.fuse = fuse;
    this.mountpoint = mountpoint;
    this.session = lib.fuse_get_session(fuse);
    Pointer channel = lib.fuse_session_next_chan(session, null);
    long bufsize = lib.fuse_chan_bufsize(channel);
    this.concurrentRead = concurrentRead;
    this.afterRequest = afterRequest;
    this.running = new AtomicInteger(threadCount);
    for (int i = 0; i < threadCount; i++) {
      Request r = new Request(lib, Runtime.getSystemRuntime(), bufsize, channel);
      threads.add(new Thread(() -> serve(r), name + "-" + i));
    }
  }

  /**
   * Mounts with {@code argv} (as {@code fuse_main} takes it: program name, mount point, options) and starts serving.
   * The loop ends when the file system is unmounted (fusermount -u); then {@code destroy} runs and the threads end.
   *
   * @param readers threads beyond the first, for concurrent reads (0: every request on one thread)
   * @param concurrentRead whether a READ of this {@code fh} may run beside other requests
   * @param afterRequest run on a serving thread after each request it served, once libfuse has sent the reply (a
   *     reply may name what must live until then: a spliced READ's block file)
   * @throws IOException when libfuse could not mount (it printed why on standard error)
   */
  public static SessionLoop start(FuseOperations ops, String[] argv, int readers, LongPredicate concurrentRead,
      Runnable afterRequest, String name) throws IOException {
    LibFuseSession lib = LibFuseSession.load();
    PointerByReference mountpoint = new PointerByReference();
    Pointer fuse = lib.fuse_setup(argv.length, argv, ops, Struct.size(ops), mountpoint, new IntByReference(), null);
    if (fuse == null) {
      throw new IOException("libfuse could not mount (fuse_setup failed; see its message above)");
    }
    SessionLoop loop;
    try {
      loop = new SessionLoop(lib, fuse, mountpoint.getValue(), readers + 1, concurrentRead, afterRequest, name);
    } catch (RuntimeException | Error e) {
      lib.fuse_teardown(fuse, mountpoint.getValue()); // mounted but never served: leave no mount behind
      throw e;
    }
    loop.threads.forEach(Thread::start);
    return loop;
  }

  /**
   * From a callback serving a request: makes the kernel forget the attributes it caches of the inode the request is
   * about, so that its next need of them (a read past the size it knew, an fstat) asks the file system (its page cache
   * stays). The high-level API names files by path only; the inode is in the request's header. Does nothing on any
   * other thread.
   *
   * @return 0, or the negative errno of the notification (-ENOENT: the kernel had nothing cached)
   */
  public static int forgetAttributesOfRequestInode() {
    Request r = SERVING.get();
    return r == null ? 0 : r.forgetAttributes();
  }

  /**
   * From a callback serving a request: the request's unique id (fuse_in_header.unique), which tells the callbacks
   * libfuse makes within one request (an open and the fgetattr libfuse makes within it) from later ones; 0 on any
   * other thread.
   */
  public static long requestUnique() {
    Request r = SERVING.get();
    return r == null ? 0 : r.unique();
  }

  /** Threads serving the mount, while they run: fixed at the start. */
  public int threads() {
    int n = 0;
    for (Thread t : threads) {
      n += t.isAlive() ? 1 : 0;
    }
    return n;
  }

  private void serve(Request r) {
    SERVING.set(r);
    turn.lock();
    boolean held = true;
    try {
      while (lib.fuse_session_exited(session) == 0) {
        int res = r.receive(session);
        if (res == -EINTR || res == -EAGAIN) {
          continue;
        }
        if (res <= 0) {
          if (res < 0) {
            LOG.warn("reading a FUSE request failed: errno {}; ending the mount's loop", -res);
          }
          lib.fuse_session_exit(session);
          break;
        }
        if (passTurn(r)) {
          turn.unlock();
          held = false;
          serveOne(r);
          turn.lock();
          held = true;
        } else {
          // Keeping the turn: the threads waiting for it stay asleep, as with one thread.
          serveOne(r);
        }
      }
    } finally {
      if (held) {
        turn.unlock();
      }
      if (running.decrementAndGet() == 0) {
        lib.fuse_teardown(fuse, mountpoint); // the last thread out: no request is being served any more
      }
    }
  }

  private void serveOne(Request r) {
    try {
      r.process(session);
    } finally {
      afterRequest.run();
    }
  }

  /**
   * Whether {@code r} is served without the turn: a READ of a handle that may be read concurrently, of another
   * handle than the READ before. Consecutive reads of one open file would only queue on that handle, and passing
   * the turn wakes another thread, which costs more than it gains there (measured on this 2-core VM: passing it on
   * every READ lost a single reader 15-25%).
   */
  private boolean passTurn(Request r) {
    if (r.opcode() != FUSE_READ || threads.size() == 1) {
      return false;
    }
    long fh = r.readFh();
    boolean other = fh != lastReadFh;
    lastReadFh = fh;
    return other && concurrentRead.test(fh);
  }

  /** One request's native buffer: its {@code struct fuse_buf} and the data it points at. */
  private static final class Request {
    private final Pointer fuseBuf;
    private final Pointer data;
    private final long size;
    private final PointerByReference channel;
    private final LibFuseSession lib;

    Request(LibFuseSession lib, Runtime runtime, long size, Pointer channel) {
      this.lib = lib;
      this.size = size;
      this.fuseBuf = Memory.allocateDirect(runtime, FUSE_BUF_SIZE, true);
      this.data = Memory.allocateDirect(runtime, (int) size, false);
      this.channel = new PointerByReference(channel);
    }

    /** libfuse sets the size to what it read, so every receive starts from a whole buffer again. */
    int receive(Pointer session) {
      fuseBuf.putLong(0, size);
      fuseBuf.putInt(8, 0);
      fuseBuf.putAddress(16, data.address());
      fuseBuf.putInt(24, -1);
      fuseBuf.putLong(32, 0);
      return lib.fuse_session_receive_buf(session, fuseBuf, channel);
    }

    int opcode() {
      return data.getInt(OPCODE_OFFSET);
    }

    long readFh() {
      return data.getLong(READ_FH_OFFSET);
    }

    long unique() {
      return data.getLong(UNIQUE_OFFSET);
    }

    int forgetAttributes() {
      return lib.fuse_lowlevel_notify_inval_inode(channel.getValue(), data.getLong(NODEID_OFFSET), -1, 0);
    }

    void process(Pointer session) {
      lib.fuse_session_process_buf(session, fuseBuf, channel.getValue());
    }
  }
}
