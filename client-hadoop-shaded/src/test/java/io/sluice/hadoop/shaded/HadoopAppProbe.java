package io.sluice.hadoop.shaded;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a Hadoop application does, run inside the class loader under test ({@link ShadedClasspath}): it uses the
 * application's own Netty and reaches Sluice only through Hadoop's {@link FileSystem} API, finding the
 * implementation by the {@code sluice} scheme (the shaded jar's service file). The test loads this class in that
 * loader and exchanges plain strings with it, so no class crosses between the loaders.
 *
 * <p>Input: {@code uri}, {@code masters}, {@code dir}, {@code epoll} ({@code sluice.rpc.epoll.enabled}). Output:
 * what the test asserts on, each value a string. One class with no nested or lambda classes: the test copies just
 * this class file into the loader.
 */
public final class HadoopAppProbe implements Function<Map<String, String>, Map<String, String>> {
  /** Spans several 64 KiB write chunks and ends mid-chunk. */
  private static final int FILE_BYTES = 3 * 1024 * 1024 + 123;

  @Override
  public Map<String, String> apply(Map<String, String> in) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      useOwnNetty(out);
      useSluice(in, out);
      reportTransport(Boolean.parseBoolean(in.get("epoll")), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private void useOwnNetty(Map<String, String> out) {
    ByteBuf buf = Unpooled.copiedBuffer("netty of the application", StandardCharsets.US_ASCII);
    try {
      out.put("netty.buffer", buf.toString(StandardCharsets.US_ASCII));
    } finally {
      buf.release();
    }
    out.put("netty.buffer.source", Unpooled.class.getProtectionDomain().getCodeSource().getLocation().toString());
    StringJoiner versions = new StringJoiner(",");
    for (Map.Entry<String, Version> e : Version.identify().entrySet()) {
      versions.add(e.getKey() + "=" + e.getValue().artifactVersion());
    }
    out.put("netty.versions", versions.toString());
  }

  private void useSluice(Map<String, String> in, Map<String, String> out) throws IOException {
    Configuration conf = new Configuration();
    conf.set("sluice.master.addresses", in.get("masters"));
    conf.set("sluice.rpc.epoll.enabled", in.get("epoll"));
    // A file system of its own per call, so each transport setting is a fresh client.
    conf.setBoolean("fs.sluice.impl.disable.cache", true);
    byte[] data = pattern();
    try (FileSystem fs = FileSystem.get(URI.create(in.get("uri")), conf)) {
      out.put("fs.class", fs.getClass().getName());
      out.put("fs.sameLoader", Boolean.toString(fs.getClass().getClassLoader() == getClass().getClassLoader()));
      Path dir = new Path(in.get("dir"));
      Path file = new Path(dir, "data.bin");
      try (FSDataOutputStream o = fs.create(file, true)) {
        o.write(data);
      }
      byte[] back = new byte[data.length];
      try (FSDataInputStream i = fs.open(file)) {
        i.readFully(back);
        out.put("read.eof", Boolean.toString(i.read() == -1));
      }
      out.put("read.matches", Boolean.toString(Arrays.equals(data, back)));
      byte[] tail = new byte[1000];
      try (FSDataInputStream i = fs.open(file)) {
        i.readFully(data.length - tail.length, tail);
      }
      out.put("pread.matches", Boolean.toString(
          Arrays.equals(data, data.length - tail.length, data.length, tail, 0, tail.length)));
      out.put("pread.bytebuffer.matches", Boolean.toString(bufferPreadsMatch(fs, file, data)));
      StringJoiner listing = new StringJoiner(",");
      for (FileStatus s : fs.listStatus(dir)) {
        listing.add(s.getPath().getName() + ":" + s.getLen());
      }
      out.put("listing", listing.toString());
    }
  }

  /**
   * Positioned reads into a heap buffer that is a slice at an offset of its array (filled in place) and into a
   * direct buffer (through a copy), each checked against the bytes written.
   */
  private static boolean bufferPreadsMatch(FileSystem fs, Path file, byte[] data) throws IOException {
    int at = 1_000_000;
    int len = 70_000;
    ByteBuffer heap = ByteBuffer.wrap(new byte[len + 20], 7, len).slice();
    ByteBuffer direct = ByteBuffer.allocateDirect(len);
    try (FSDataInputStream i = fs.open(file)) {
      i.readFully(at, heap);
      i.readFully(at, direct);
    }
    ByteBuffer expected = ByteBuffer.wrap(data, at, len);
    return !heap.hasRemaining() && !direct.hasRemaining()
        && heap.flip().equals(expected) && direct.flip().equals(expected);
  }

  /**
   * The transport the client picks with this setting, asked of the shaded classes themselves: common's
   * {@code Transport.choose} (what every RPC connection uses) and the relocated Netty's epoll probe.
   */
  private void reportTransport(boolean epoll, Map<String, String> out) throws ReflectiveOperationException {
    ClassLoader loader = getClass().getClassLoader();
    Class<?> transport = Class.forName("io.sluice.common.rpc.Transport", true, loader);
    out.put("transport", transport.getMethod("choose", boolean.class).invoke(null, epoll).toString());
    Class<?> shadedEpoll = Class.forName("io.sluice.shaded.io.netty.channel.epoll.Epoll", true, loader);
    out.put("epoll.available", shadedEpoll.getMethod("isAvailable").invoke(null).toString());
    Object cause = shadedEpoll.getMethod("unavailabilityCause").invoke(null);
    out.put("epoll.cause", String.valueOf(cause));
  }

  private static byte[] pattern() {
    byte[] b = new byte[FILE_BYTES];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 31 + (i >>> 16));
    }
    return b;
  }
}
