package io.sluice.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.tools.DistCp;
import org.apache.hadoop.util.ToolRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hadoop's DistCp on MapReduce's local job runner: a local tree into {@code sluice://} and back out into another
 * local directory, every file compared by SHA-256 with its original.
 */
class DistCpTest {
  private static final String DST = "/distcp-dst";
  private static final long SEED = 20261130L;
  private static FileSystem sluice;

  @BeforeAll
  static void connect() throws IOException {
    sluice = FileSystem.newInstance(MiniSluiceCluster.get().uri(), MiniSluiceCluster.get().hadoopConf());
    sluice.delete(new Path(DST), true);
  }

  @AfterAll
  static void close() throws IOException {
    sluice.delete(new Path(DST), true);
    sluice.close();
  }

  /**
   * The job's configuration: local runner, and the local file system as the default one, so the job's staging
   * files and DistCp's own listing go to {@code work}, and only the copy touches Sluice.
   */
  private static Configuration jobConf(java.nio.file.Path work) {
    Configuration conf = MiniSluiceCluster.get().hadoopConf();
    conf.set("fs.defaultFS", "file:///");
    conf.set("mapreduce.framework.name", "local");
    conf.set("hadoop.tmp.dir", work.resolve("tmp").toString());
    conf.set("mapreduce.jobtracker.staging.root.dir", work.resolve("staging").toString());
    conf.set("mapreduce.cluster.local.dir", work.resolve("local").toString());
    return conf;
  }

  @Test
  void copiesATreeInAndOutByteForByte(@TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path src = tmp.resolve("src");
    writeTree(src);
    URI sluiceDst = MiniSluiceCluster.get().uri().resolve(DST);
    java.nio.file.Path back = tmp.resolve("back");

    assertEquals(0, ToolRunner.run(new DistCp(jobConf(tmp.resolve("job-in")), null),
        new String[] {src.toUri().toString(), sluiceDst.toString()}), "DistCp into sluice://");
    assertEquals(0, ToolRunner.run(new DistCp(jobConf(tmp.resolve("job-out")), null),
        new String[] {sluiceDst.toString(), back.toUri().toString()}), "DistCp out of sluice://");

    Map<String, String> original = digests(src);
    assertEquals(6, original.size());
    assertEquals(original, digestsInSluice(), "in Sluice, seed " + SEED);
    assertEquals(original, digests(back), "copied back, seed " + SEED);
  }

  /** Files of several sizes (empty, under one block, several checksum chunks, a few MiB) in nested directories. */
  private static void writeTree(java.nio.file.Path root) throws IOException {
    Map<String, Integer> sizes = Map.of("top.bin", 1_048_576 + 13, "a/one.bin", 700_000, "a/empty.bin", 0,
        "a/b/c/deep.bin", 2 * 1_048_576 + 1, "a/b/small.txt", 100, "d/e.bin", 65_536);
    Random random = new Random(SEED);
    for (Map.Entry<String, Integer> e : new TreeMap<>(sizes).entrySet()) {
      byte[] data = new byte[e.getValue()];
      random.nextBytes(data);
      java.nio.file.Path f = root.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, data);
    }
  }

  /** Relative path to SHA-256 of every file under {@code root}, leaving out the local file system's .crc files. */
  private static Map<String, String> digests(java.nio.file.Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<java.nio.file.Path> files = Files.walk(root)) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(Files::isRegularFile)::iterator) {
        String name = f.getFileName().toString();
        if (!(name.startsWith(".") && name.endsWith(".crc"))) {
          try (InputStream in = Files.newInputStream(f)) {
            out.put(root.relativize(f).toString(), sha256(in));
          }
        }
      }
    }
    return out;
  }

  private static Map<String, String> digestsInSluice() throws IOException {
    Map<String, String> out = new TreeMap<>();
    var files = sluice.listFiles(new Path(DST), true);
    while (files.hasNext()) {
      Path p = files.next().getPath();
      try (InputStream in = sluice.open(p)) {
        out.put(p.toUri().getPath().substring(DST.length() + 1), sha256(in));
      }
    }
    return out;
  }

  private static String sha256(InputStream in) throws IOException {
    try {
      DigestInputStream d = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"));
      d.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(d.getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
