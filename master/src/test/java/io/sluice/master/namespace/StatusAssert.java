package io.sluice.master.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.common.proto.Status;
import io.sluice.common.rpc.RpcException;
import org.junit.jupiter.api.function.Executable;

/** Asserts that a call fails with a given {@link Status}. */
final class StatusAssert {
  private StatusAssert() {}

  static RpcException assertStatus(Status expected, Executable call) {
    RpcException e = assertThrows(RpcException.class, call);
    assertEquals(expected, e.status(), e.getMessage());
    return e;
  }
}
