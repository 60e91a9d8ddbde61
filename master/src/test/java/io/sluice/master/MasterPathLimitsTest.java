package io.sluice.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import io.sluice.common.proto.FrameHeader;
import io.sluice.common.proto.FrameKind;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.common.testing.RawRpcPeer;
import io.sluice.master.testing.FakeClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile path names through the real RPC of a real master: every method that takes a path answers
 * INVALID_ARGUMENT for a malformed one (not INTERNAL, not a dropped connection), including a path that is not
 * valid UTF-8, which fails the proto3 parse of the request body.
 */
class MasterPathLimitsTest {
  /** Methods whose request has the path as string field 1. */
  private static final List<MasterMethod> PATH_METHODS = List.of(MasterMethod.MKDIR, MasterMethod.CREATE_FILE,
      MasterMethod.GET_STATUS, MasterMethod.LIST_STATUS, MasterMethod.DELETE, MasterMethod.RENAME,
      MasterMethod.SET_ATTRIBUTES, MasterMethod.CREATE_SYMLINK, MasterMethod.LINK, MasterMethod.SET_XATTR,
      MasterMethod.REMOVE_XATTR, MasterMethod.GET_XATTRS, MasterMethod.FREE, MasterMethod.LOAD,
      MasterMethod.SET_TTL, MasterMethod.GET_BLOCK_LOCATIONS);

  @TempDir
  static Path dir;
  static MasterServer master;
  static RpcClient client;

  @BeforeAll
  static void start() throws Exception {
    master = new MasterServer(MasterServerTest.conf(dir), new FakeClock(1_700_000_000_000L)).start();
    client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"));
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (master != null) {
      master.close();
    }
  }

  /** Each hostile path by what is wrong with it, as the bytes of the string field. */
  private static Map<String, byte[]> hostilePaths() {
    Map<String, byte[]> p = new LinkedHashMap<>();
    for (String s : List.of("", "a", "a/b", "/a/", "//a", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a\0b",
        "/\0")) {
      p.put("'" + s.replace("\0", "\\0") + "'", s.getBytes(StandardCharsets.UTF_8));
    }
    p.put("a name of 256 bytes", ("/" + "x".repeat(256)).getBytes(StandardCharsets.UTF_8));
    p.put("a name of 256 UTF-8 bytes in 128 chars", ("/" + "é".repeat(128)).getBytes(StandardCharsets.UTF_8));
    p.put("a path of 4098 chars", (("/" + "y".repeat(255)).repeat(16) + "/y").getBytes(StandardCharsets.UTF_8));
    p.put("invalid UTF-8", new byte[] {'/', (byte) 0xc3, (byte) 0x28});
    p.put("a lone surrogate in UTF-8", new byte[] {'/', (byte) 0xed, (byte) 0xa0, (byte) 0x80});
    p.put("an overlong '/'", new byte[] {'/', 'a', (byte) 0xc0, (byte) 0xaf, 'b'});
    return p;
  }

  private static byte[] field1(byte[] value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeByteArray(1, value);
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void everyPathMethodRefusesMalformedPathsWithInvalidArgument() throws Exception {
    Map<Long, String> sent = new LinkedHashMap<>();
    try (RawRpcPeer peer = new RawRpcPeer(master.rpcAddress()).handshake("alice")) {
      long id = 0;
      for (Map.Entry<String, byte[]> path : hostilePaths().entrySet()) {
        for (MasterMethod m : PATH_METHODS) {
          peer.write(FrameHeader.newBuilder().setKind(FrameKind.REQUEST).setCallId(++id).setMethod(m.getNumber())
              .build(), field1(path.getValue()), new byte[0]);
          sent.put(id, m + " of " + path.getKey());
        }
      }
      peer.flush();
      List<String> wrong = new ArrayList<>();
      while (!sent.isEmpty()) {
        RawRpcPeer.Received r = peer.read();
        String what = sent.remove(r.header().getCallId());
        assertTrue(what != null, "an answer to an unknown call " + r.header());
        if (r.header().getStatus() != Status.INVALID_ARGUMENT) {
          String error = r.header().getError();
          wrong.add(what + ": " + r.header().getStatus() + " " + error.substring(0, Math.min(80, error.length())));
        }
      }
      assertEquals(List.of(), wrong);
    }
  }

  @Test
  void theLongestNamesAndPathsAreAccepted() throws Exception {
    String name = "n".repeat(255);
    MkdirResponse made = client.call(MasterMethod.MKDIR.getNumber(),
        MkdirRequest.newBuilder().setPath("/" + name).build(), MkdirResponse.parser());
    assertEquals(name, made.getInfo().getName());
    String longest = ("/" + "z".repeat(255)).repeat(16);
    assertEquals(4096, longest.length());
    RpcException e = org.junit.jupiter.api.Assertions.assertThrows(RpcException.class, () -> client.call(
        MasterMethod.GET_STATUS.getNumber(), GetStatusRequest.newBuilder().setPath(longest).build(),
        io.sluice.common.proto.GetStatusResponse.parser()));
    assertEquals(Status.NOT_FOUND, e.status(), e.getMessage());
  }
}
