package io.sluice.bench;

import io.sluice.common.conf.CommonKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The other JVM process of {@link DataPathBench}, so every byte it measures crosses loopback between two processes:
 * <ul>
 *   <li>{@code cluster DIR TIERS TRANSFER [KEY=VALUE...]}: a master and a worker
 *       ({@code sluice.worker.data.transfer = TRANSFER}, and any further keys); prints {@code ready HOST:PORT} (the
 *       master) and runs until its standard input closes.
 *   <li>{@code send PORT plain BYTES CONNECTIONS}: opens CONNECTIONS connections to 127.0.0.1:PORT and sends BYTES
 *       in all, split evenly, with plain writes from a 1 MiB direct buffer.
 *   <li>{@code send PORT transferTo 0 CONNECTIONS FILE...}: the same, sending the files (round-robin over the
 *       connections) with {@code FileChannel.transferTo}: sendfile, as a worker's zero-copy reads.
 * </ul>
 */
public final class DataPathPeer {
  private DataPathPeer() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("cluster")) {
      List<String> conf = new ArrayList<>(List.of("sluice.worker.data.transfer", args[3]));
      conf.addAll(KeyValues.pairs(List.of(args).subList(4, args.length)));
      try (BenchCluster c = new BenchCluster(Path.of(args[1]), args[2], conf.toArray(String[]::new))) {
        System.out.println("ready " + c.conf().get(CommonKeys.MASTER_ADDRESSES));
        System.out.flush();
        while (System.in.read() >= 0) {
          // Runs until the bench closes our input (or dies).
        }
      }
      System.exit(0);
    }
    int port = Integer.parseInt(args[1]);
    boolean plain = args[2].equals("plain");
    long bytes = Long.parseLong(args[3]);
    int connections = Integer.parseInt(args[4]);
    List<Thread> senders = new ArrayList<>();
    for (int k = 0; k < connections; k++) {
      int conn = k;
      Thread t = new Thread(() -> {
        try (SocketChannel s = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
          if (plain) {
            sendPlain(s, bytes / connections);
          } else {
            for (int i = conn + 5; i < args.length; i += connections) {
              sendFile(s, Path.of(args[i]));
            }
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      senders.add(t);
      t.start();
    }
    for (Thread t : senders) {
      t.join();
    }
  }

  private static void sendPlain(SocketChannel s, long bytes) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    for (long left = bytes; left > 0; ) {
      buf.clear().limit((int) Math.min(buf.capacity(), left));
      while (buf.hasRemaining()) {
        left -= s.write(buf);
      }
    }
  }

  private static void sendFile(SocketChannel s, Path file) throws IOException {
    try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = Files.size(file);
      for (long at = 0; at < size; ) {
        at += f.transferTo(at, size - at, s);
      }
    }
  }
}
