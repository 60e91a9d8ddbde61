package io.sluice.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.ErrorCodes;

class NewNamesTest {
  /** What a name with the Latin-1 byte 0xE9 in it arrives as: jnr's UTF-8 decoding of the bytes libfuse passes. */
  private static final String LATIN1_CAFE = new String(new byte[] {'c', 'a', 'f', (byte) 0xE9},
      StandardCharsets.UTF_8);

  private static int errno(String path) {
    return assertThrows(ErrnoException.class, () -> NewNames.check(path)).errno();
  }

  @Test
  void unicodeNamesUpToNameMaxBytesPass() throws Exception {
    NewNames.check("/d/café");
    NewNames.check("/d/Ünïcode 😀\nnew line");
    NewNames.check("/d/" + "a".repeat(255));
    NewNames.check("/d/" + "é".repeat(127) + "a"); // 255 bytes in 128 characters
    NewNames.check("/" + "a".repeat(300) + "/short"); // only the last name is new
    NewNames.checkText("../some/where");
  }

  @Test
  void aNameThatWasNotUtf8IsRefusedWithEilseq() {
    assertEquals("caf\uFFFD", LATIN1_CAFE);
    assertEquals(ErrorCodes.EILSEQ(), errno("/d/" + LATIN1_CAFE));
    ErrnoException e = assertThrows(ErrnoException.class, () -> NewNames.checkText("target/" + LATIN1_CAFE));
    assertEquals(ErrorCodes.EILSEQ(), e.errno());
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void aNameOverNameMaxBytesIsRefusedWithEnametoolong() {
    assertEquals(ErrorCodes.ENAMETOOLONG(), errno("/d/" + "a".repeat(256)));
    assertEquals(ErrorCodes.ENAMETOOLONG(), errno("/d/" + "é".repeat(128))); // 128 characters, 256 bytes
    assertEquals(ErrorCodes.ENAMETOOLONG(), errno("/d/" + "😀".repeat(64))); // surrogate pairs: 4 bytes each
    assertEquals(ErrorCodes.ENAMETOOLONG(),
        assertThrows(ErrnoException.class, () -> NewNames.checkLength("/d/" + "a".repeat(256))).errno());
  }

  @Test
  void aLookupOfANameTooLongForTheMasterIsEnametoolongOrEnoentWhenItWasNotUtf8() throws Exception {
    NewNames.checkLookup("/d/" + "a".repeat(255));
    NewNames.checkLookup("/d/" + LATIN1_CAFE); // looked up as it is: it may name nothing, or a file of another client
    assertEquals(ErrorCodes.ENAMETOOLONG(),
        assertThrows(ErrnoException.class, () -> NewNames.checkLookup("/d/" + "a".repeat(256))).errno());
    // 100 bytes of Latin-1, 300 as U+FFFD: no such name, so the create that follows gets EILSEQ.
    assertEquals(ErrorCodes.ENOENT(),
        assertThrows(ErrnoException.class, () -> NewNames.checkLookup("/d/" + "\uFFFD".repeat(100))).errno());
  }
}
