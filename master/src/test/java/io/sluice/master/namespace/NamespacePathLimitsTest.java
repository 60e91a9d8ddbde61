package io.sluice.master.namespace;

import static io.sluice.master.namespace.StatusAssert.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.common.proto.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names that do not come from a client's path but one by one, from a UFS listing ({@link NamespacePath#child}):
 * a key may hold what a path never can, such as a '/' inside a name, and must be refused rather than become a
 * path into another directory.
 */
class NamespacePathLimitsTest {
  @ParameterizedTest
  @ValueSource(strings = {"a/b", "/", "a/", "../x", "a\0b", "\0", "", ".", ".."})
  void aNameTheNamespaceCannotHoldIsInvalid(String name) throws Exception {
    NamespacePath dir = NamespacePath.parse("/mnt");
    assertStatus(Status.INVALID_ARGUMENT, () -> dir.child(name));
  }

  @ParameterizedTest
  @ValueSource(ints = {256, 1000})
  void aNameOverTheByteLimitIsInvalid(int bytes) throws Exception {
    NamespacePath dir = NamespacePath.parse("/mnt");
    assertStatus(Status.INVALID_ARGUMENT, () -> dir.child("b".repeat(bytes)));
    assertStatus(Status.INVALID_ARGUMENT, () -> dir.child("é".repeat(bytes / 2 + 1)));
    assertEquals("/mnt/" + "b".repeat(255), dir.child("b".repeat(255)).toString());
  }
}
