package io.sluice.fuse;

/**
 * What a {@code utimensat(2)} asks for, decoded from its two timespecs (access, then modification): each is a time,
 * "now" ({@link #UTIME_NOW} in tv_nsec) or "leave it" ({@link #UTIME_OMIT}). libfuse2 passes the kernel's flags
 * through in exactly that form.
 *
 * @param touch both are "now": set both to the master's clock, which needs only write permission (not ownership)
 * @param mtimeMs the new modification time in epoch ms, or -1 to leave it
 * @param atimeMs the new access time in epoch ms, or -1 to leave it
 */
record TimesChange(boolean touch, long mtimeMs, long atimeMs) {
  static final long UTIME_NOW = (1L << 30) - 1;
  static final long UTIME_OMIT = (1L << 30) - 2;

  /**
   * @param nowMs this host's clock, for one time "now" and the other explicit (a mix the master cannot express;
   *     both "now" use the master's clock instead)
   */
  static TimesChange of(long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, long nowMs) {
    if (atimeNsec == UTIME_NOW && mtimeNsec == UTIME_NOW) {
      return new TimesChange(true, -1, -1);
    }
    return new TimesChange(false, millis(mtimeSec, mtimeNsec, nowMs), millis(atimeSec, atimeNsec, nowMs));
  }

  /** Nothing to change: both omitted. */
  boolean none() {
    return !touch && mtimeMs < 0 && atimeMs < 0;
  }

  private static long millis(long sec, long nsec, long nowMs) {
    if (nsec == UTIME_OMIT) {
      return -1;
    }
    if (nsec == UTIME_NOW) {
      return nowMs;
    }
    // Times before 1970 cannot be stored (negative means "leave it" to the client): clamp to the epoch.
    return Math.max(0, Math.addExact(Math.multiplyExact(sec, 1000L), nsec / 1_000_000L));
  }
}
