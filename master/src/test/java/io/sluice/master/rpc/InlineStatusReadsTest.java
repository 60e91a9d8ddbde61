package io.sluice.master.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.sluice.common.conf.SluiceConf;
import io.sluice.common.proto.FileInfo;
import io.sluice.common.proto.FileType;
import io.sluice.common.proto.GetStatusRequest;
import io.sluice.common.proto.GetStatusResponse;
import io.sluice.common.proto.MasterMethod;
import io.sluice.common.proto.MkdirRequest;
import io.sluice.common.proto.MkdirResponse;
import io.sluice.common.proto.MountRequest;
import io.sluice.common.proto.MountResponse;
import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcClient;
import io.sluice.common.rpc.RpcException;
import io.sluice.common.rpc.RpcOptions;
import io.sluice.master.MasterKeys;
import io.sluice.master.MasterServer;
import io.sluice.master.security.SecurityKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GET_STATUS answers the same whether a sole master answers it on the network thread
 * ({@code sluice.master.rpc.inline.reads}) or on its RPC threads: a path under a UFS mount is still synced from the
 * UFS first (a file that only the UFS has is found), a native path and a missing one are answered as before.
 */
class InlineStatusReadsTest {
  @TempDir
  Path dir;
  @TempDir
  Path ufs;

  @ParameterizedTest(name = "inline reads {0}")
  @ValueSource(booleans = {true, false})
  void statusesAreTheSameOnEitherThread(boolean inline) throws Exception {
    SluiceConf conf = SluiceConf.defaults().with(MasterKeys.HOST, "127.0.0.1").with(MasterKeys.RPC_PORT, "0")
        .with(MasterKeys.HTTP_PORT, "0").with(MasterKeys.RAFT_PORT, "0").with(MasterKeys.DIR, dir.toString())
        .with(SecurityKeys.STATIC_GROUPS, "alice=supergroup")
        .with(MasterKeys.RPC_INLINE_READS, Boolean.toString(inline));
    try (MasterServer master = new MasterServer(conf).start();
        RpcClient client = RpcClient.connect(master.rpcAddress(), RpcOptions.defaults().withUser("alice"))) {
      call(client, MasterMethod.MKDIR, MkdirRequest.newBuilder().setPath("/native").build(), MkdirResponse.parser());
      call(client, MasterMethod.MOUNT, MountRequest.newBuilder().setPath("/m").setUfsUri(ufs.toUri().toString())
          .build(), MountResponse.parser());
      // Written to the UFS behind Sluice's back after the mount: only a sync on this very read can find it.
      Files.write(ufs.resolve("late"), new byte[] {1, 2, 3, 4});

      for (int i = 0; i < 3; i++) {  // the first call resolves alice; the later ones may take the short way
        assertEquals(FileType.DIRECTORY, stat(client, "/native").getType());
        assertEquals(4, stat(client, "/m/late").getLength());
        RpcException missing = assertThrows(RpcException.class, () -> stat(client, "/native/none"));
        assertEquals(Status.NOT_FOUND, missing.status());
        RpcException relative = assertThrows(RpcException.class, () -> stat(client, "native"));
        assertEquals(Status.INVALID_ARGUMENT, relative.status());
      }
    }
  }

  private static FileInfo stat(RpcClient client, String path) throws RpcException {
    return call(client, MasterMethod.GET_STATUS, GetStatusRequest.newBuilder().setPath(path).build(),
        GetStatusResponse.parser()).getInfo();
  }

  private static <T extends Message> T call(RpcClient client, MasterMethod m, Message body, Parser<T> parser)
      throws RpcException {
    return client.call(m.getNumber(), body, parser);
  }
}
