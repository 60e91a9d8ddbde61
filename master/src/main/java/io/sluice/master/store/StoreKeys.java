package io.sluice.master.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key and value encodings of the namespace column families.
 *
 * <pre>
 * inodes: id (8 bytes big-endian)                          -> InodeRecord
 * edges:  parent id (8 bytes big-endian) | name (UTF-8)    -> child id (8 bytes big-endian)
 * mounts: mount id (8 bytes big-endian)                    -> MountRecord
 * meta:   "applied"                                        -> term (8) | index (8)
 *         "next_inode_id", "inode_count"                   -> 8 bytes big-endian
 * requests:      client id (UTF-8) | 0 | request id (8)     -> RequestRecord
 * request_times: time ms (8) | the requests key             -> empty (expiry order)
 * links:  inode id (8) | parent id (8) | name (UTF-8)      -> empty (every name of an inode with nlink > 1)
 * </pre>
 *
 * Big-endian ids keep one directory's edges contiguous, so a listing is one prefix scan in (UTF-8 byte) name order.
 */
final class StoreKeys {
  static final byte[] APPLIED = bytes("applied");
  static final byte[] NEXT_INODE_ID = bytes("next_inode_id");
  static final byte[] INODE_COUNT = bytes("inode_count");

  private StoreKeys() {}

  static byte[] inode(long id) {
    return longBytes(id);
  }

  /** The prefix of every edge under {@code parentId}. */
  static byte[] edgePrefix(long parentId) {
    return longBytes(parentId);
  }

  static byte[] edge(long parentId, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(Long.BYTES + n.length).putLong(parentId).put(n).array();
  }

  static byte[] link(long inodeId, long parentId, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 * Long.BYTES + n.length).putLong(inodeId).putLong(parentId).put(n).array();
  }

  /** The name an entry of {@code links} holds: its parent id and name. */
  static NamespaceReader.Name linkName(byte[] linkKey) {
    return new NamespaceReader.Name(ByteBuffer.wrap(linkKey, Long.BYTES, Long.BYTES).getLong(),
        new String(linkKey, 2 * Long.BYTES, linkKey.length - 2 * Long.BYTES, StandardCharsets.UTF_8));
  }

  static byte[] request(String clientId, long requestId) {
    byte[] c = clientId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(c.length + 1 + Long.BYTES).put(c).put((byte) 0).putLong(requestId).array();
  }

  static byte[] requestTime(long timeMs, byte[] requestKey) {
    return ByteBuffer.allocate(Long.BYTES + requestKey.length).putLong(timeMs).put(requestKey).array();
  }

  /** The requests key inside a request_times key. */
  static byte[] requestOfTime(byte[] timeKey) {
    return Arrays.copyOfRange(timeKey, Long.BYTES, timeKey.length);
  }

  /** The child name of an edge key. */
  static String edgeName(byte[] edgeKey) {
    return new String(edgeKey, Long.BYTES, edgeKey.length - Long.BYTES, StandardCharsets.UTF_8);
  }

  static boolean hasPrefix(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  static byte[] longBytes(long v) {
    return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
  }

  static long toLong(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
