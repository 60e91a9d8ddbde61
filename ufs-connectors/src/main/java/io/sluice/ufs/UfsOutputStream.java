package io.sluice.ufs;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A file being created in the UFS. Nothing of it is visible at its path until {@link #close()} returns: then the whole
 * content appears at once (replacing the old file when created with overwrite). {@link #abort()} instead discards
 * everything written and leaves the UFS as it was; a writer that failed must call it. Both are idempotent, and
 * the first of them decides; a close that throws has already discarded the data.
 */
public abstract class UfsOutputStream extends OutputStream {
  /** Discards what was written; the path keeps whatever it had before. */
  public abstract void abort() throws IOException;
}
