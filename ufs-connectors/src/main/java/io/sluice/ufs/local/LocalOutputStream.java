package io.sluice.ufs.local;

import io.sluice.ufs.UfsOutputStream;
import io.sluice.ufs.UfsPath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a new local file into a hidden staging sibling and moves it into place on close: the file appears whole or
 * not at all. The data is forced to disk before the move, so a crash after close never exposes a file with holes.
 */
final class LocalOutputStream extends UfsOutputStream {
  private final UfsPath path;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private boolean done;

  LocalOutputStream(UfsPath path, Path target, Path staging, boolean overwrite) throws IOException {
    this.path = path;
    this.target = target;
    this.staging = staging;
    this.overwrite = overwrite;
    this.channel = FileChannel.open(staging, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (!buffer.hasRemaining()) {
      flushBuffer();
    }
    buffer.put((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    while (len > 0) {
      if (!buffer.hasRemaining()) {
        flushBuffer();
      }
      int n = Math.min(len, buffer.remaining());
      buffer.put(b, off, n);
      off += n;
      len -= n;
    }
  }

  private void flushBuffer() throws IOException {
    buffer.flip();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      abort();
      throw LocalErrors.translate(e, path);
    }
    buffer.clear();
  }

  private void ensureOpen() throws IOException {
    if (done) {
      throw new IOException("'" + path + "': stream already closed or aborted");
    }
  }

  @Override
  public void close() throws IOException {
    if (done) {
      return;
    }
    try {
      flushBuffer();
      channel.force(true);
      channel.close();
      publish();
      done = true;
    } catch (IOException e) {
      abort();
      throw LocalErrors.translate(e, path);
    }
  }

  private void publish() throws IOException {
    if (overwrite) {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    // link(2) fails if the target exists, so a file created meanwhile by someone else is never replaced.
    try {
      Files.createLink(target, staging);
    } catch (UnsupportedOperationException e) {
      if (Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    Files.delete(staging);
  }

  @Override
  public void abort() throws IOException {
    if (done) {
      return;
    }
    done = true;
    channel.close();
    Files.deleteIfExists(staging);
  }
}
