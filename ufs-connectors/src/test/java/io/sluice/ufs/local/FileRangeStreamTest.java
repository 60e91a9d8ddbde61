package io.sluice.ufs.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ufs.UfsPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local connector's ranges read as a channel give what they give as a stream. */
class FileRangeStreamTest {
  @TempDir Path root;
  private final byte[] data = new byte[1 << 20];
  private LocalUnderFileSystem ufs;

  @BeforeEach
  void setUp() throws IOException {
    new Random(7).nextBytes(data);
    Files.write(root.resolve("f"), data);
    ufs = new LocalUnderFileSystem(root);
  }

  @Test
  void aRangeReadAsAChannelIsTheRangeReadAsAStream() throws IOException {
    byte[] expected = Arrays.copyOfRange(data, 1000, 301_000);
    try (InputStream in = ufs.open(UfsPath.parse("f"), 1000, 300_000)) {
      assertArrayEquals(expected, in.readAllBytes());
    }
    try (InputStream in = ufs.open(UfsPath.parse("f"), 1000, 300_000)) {
      assertArrayEquals(expected, readAsChannel(assertInstanceOf(ReadableByteChannel.class, in), 65_537));
    }
  }

  @Test
  void streamAndChannelReadsShareOnePosition() throws IOException {
    try (InputStream in = ufs.open(UfsPath.parse("f"), 10, 200_000)) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      got.write(in.readNBytes(777));
      ByteBuffer b = ByteBuffer.allocateDirect(4096);
      ((ReadableByteChannel) in).read(b);
      got.write(bytes(b.flip()));
      assertEquals(1000, in.skip(1000));
      byte[] skippedTo = new byte[5];
      assertEquals(5, in.read(skippedTo));
      assertArrayEquals(Arrays.copyOfRange(data, 10, 10 + 777 + 4096), got.toByteArray());
      assertArrayEquals(Arrays.copyOfRange(data, 10 + 777 + 4096 + 1000, 10 + 777 + 4096 + 1005), skippedTo);
    }
  }

  @Test
  void aBufferLargerThanWhatIsLeftIsFilledOnlyToTheRangesEnd() throws IOException {
    try (InputStream in = ufs.open(UfsPath.parse("f"), 100, 5000)) {
      ReadableByteChannel ch = (ReadableByteChannel) in;
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
      assertEquals(5000, ch.read(b));
      assertEquals(5000, b.position());
      assertEquals(b.capacity(), b.limit(), "the caller's limit is left as it was");
      assertEquals(-1, ch.read(b));
      assertArrayEquals(Arrays.copyOfRange(data, 100, 5100), bytes(b.flip()));
    }
  }

  @Test
  void aFileThatShrankEndsTheRangeEarlyOnBothSides() throws IOException {
    try (InputStream in = ufs.open(UfsPath.parse("f"), 0, data.length)) {
      try (FileChannel f = FileChannel.open(root.resolve("f"), StandardOpenOption.WRITE)) {
        f.truncate(3000);
      }
      assertEquals(2000, in.skip(2000));
      assertEquals(1000, in.skip(5000), "skips no further than the file's end");
      assertEquals(-1, ((ReadableByteChannel) in).read(ByteBuffer.allocate(10)));
      assertEquals(-1, in.read());
    }
    try (InputStream in = ufs.open(UfsPath.parse("f"), 0, data.length)) {
      assertArrayEquals(Arrays.copyOf(data, 3000), readAsChannel((ReadableByteChannel) in, 1 << 16));
    }
  }

  @Test
  void closingTheStreamClosesTheChannel() throws IOException {
    InputStream in = ufs.open(UfsPath.parse("f"), 0, -1);
    ReadableByteChannel ch = (ReadableByteChannel) in;
    assertTrue(ch.isOpen());
    in.close();
    assertFalse(ch.isOpen());
  }

  private static byte[] readAsChannel(ReadableByteChannel ch, int bufferSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocateDirect(bufferSize);
    while (ch.read(b.clear()) >= 0) {
      out.write(bytes(b.flip()));
    }
    return out.toByteArray();
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }
}
