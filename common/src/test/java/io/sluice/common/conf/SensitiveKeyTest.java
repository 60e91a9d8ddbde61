package io.sluice.common.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A sensitive key's value is shown nowhere configuration is shown. */
class SensitiveKeyTest {
  private static final String SECRET = "s3cr3t-value-nobody-may-see";

  @Test
  void theSharedSecretIsSensitiveAndItsFileIsNot() {
    assertTrue(CommonKeys.SECURITY_SECRET.isSensitive());
    assertEquals("", CommonKeys.SECURITY_SECRET.defaultText());
    assertFalse(CommonKeys.SECURITY_SECRET_FILE.isSensitive(), "a path is no secret, and worth showing");
    assertFalse(CommonKeys.MASTER_ADDRESSES.isSensitive());
  }

  @Test
  void displayedValuesAreRedacted() {
    SluiceConf c = SluiceConf.defaults().with(CommonKeys.SECURITY_SECRET, SECRET)
        .with(CommonKeys.SECURITY_SECRET_FILE, "/etc/sluice/secret").with(CommonKeys.MASTER_ADDRESSES, "h:1");
    assertEquals(SECRET, c.get(CommonKeys.SECURITY_SECRET), "the value itself is there for who needs it");
    assertEquals(ConfigKey.REDACTED, c.displayText(CommonKeys.SECURITY_SECRET));
    assertEquals("/etc/sluice/secret", c.displayText(CommonKeys.SECURITY_SECRET_FILE));
    assertEquals("h:1", c.displayText(CommonKeys.MASTER_ADDRESSES));
    assertEquals(ConfigKey.REDACTED, c.displayValues().get(CommonKeys.SECURITY_SECRET.name()));
    assertFalse(c.toString().contains(SECRET), c.toString());
    assertTrue(c.toString().contains("sluice.master.addresses=h:1"), c.toString());
    assertEquals("", SluiceConf.defaults().displayText(CommonKeys.SECURITY_SECRET), "unset shows as unset");
  }

  @Test
  void aNameNoLoadedKeyDefinesIsRedactedWhenItLooksLikeACredential() {
    SluiceConf c = SluiceConf.defaults().with("sluice.some.plugin.password", SECRET)
        .with("sluice.some.plugin.secret.key", SECRET).with("sluice.some.plugin.size", "1m");
    assertFalse(c.toString().contains(SECRET), c.toString());
    assertEquals("1m", c.displayValues().get("sluice.some.plugin.size"));
  }
}
