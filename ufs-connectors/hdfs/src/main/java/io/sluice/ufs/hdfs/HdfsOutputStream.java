package io.sluice.ufs.hdfs;

import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a new file into a hidden staging sibling and renames it into place on close. The rename is HDFS's atomic
 * rename with OVERWRITE, or without it (failing if someone created the file meanwhile) when not overwriting, so
 * the file appears whole or not at all: unlike writing in place, where readers would see it grow.
 */
final class HdfsOutputStream extends UfsOutputStream {
  private static final Logger LOG = LoggerFactory.getLogger(HdfsOutputStream.class);

  private final UfsPath path;
  private final FileSystem fs;
  private final FileContext fc;
  private final Path staging;
  private final Path target;
  private final boolean overwrite;
  private final FSDataOutputStream out;
  private boolean done;

  HdfsOutputStream(UfsPath path, FileSystem fs, FileContext fc, Path staging, Path target, boolean overwrite)
      throws IOException {
    this.path = path;
    this.fs = fs;
    this.fc = fc;
    this.staging = staging;
    this.target = target;
    this.overwrite = overwrite;
    this.out = fs.create(staging, false);
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    try {
      out.write(b);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private void ensureOpen() throws IOException {
    if (done) {
      throw new IOException("'" + path + "': stream already closed or aborted");
    }
  }

  private IOException failed(IOException e) {
    try {
      abort();
    } catch (IOException suppressed) {
      e.addSuppressed(suppressed);
    }
    return HdfsErrors.translate(e, path);
  }

  @Override
  public void close() throws IOException {
    if (done) {
      return;
    }
    try {
      out.close();
      fc.rename(staging, target, overwrite ? Options.Rename.OVERWRITE : Options.Rename.NONE);
      done = true;
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public void abort() throws IOException {
    if (done) {
      return;
    }
    done = true;
    try {
      out.close();
    } catch (IOException e) {
      // The staging file is deleted below whatever state the write left it in.
      LOG.debug("{}: closing aborted write: {}", path, e.toString());
    }
    fs.delete(staging, false);
  }
}
