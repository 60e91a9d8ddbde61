package io.sluice.cli.conf;

import io.sluice.client.ClientKeys;
import io.sluice.common.conf.CommonKeys;
import io.sluice.common.rpc.RpcLimits;
import io.sluice.common.tls.TlsKeys;
import io.sluice.common.conf.ConfigKey;
import io.sluice.fuse.FuseKeys;
import io.sluice.master.MasterKeys;
import io.sluice.master.security.SecurityKeys;
import io.sluice.worker.WorkerKeys;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every configuration key a user may set, by the component that reads it: one section per keys class (STYLE 10).
 * The cli module sees every module, so this is the one list of those classes; {@code sluice conf get} and the
 * template ({@link ConfTemplate}) read it, and a test fails when a class on the classpath defines keys but is
 * missing here. There are no internal keys: every {@code public static} {@link ConfigKey} of a listed class is
 * user-settable (a key meant for tests only would not be a public constant of a keys class).
 */
public final class KnownKeys {
  /** One component's keys: a heading for the template and the class defining them. */
  public record Section(String title, Class<?> keysClass) {
    /** This section's keys in name order (a stable order, whatever order reflection lists fields in). */
    public List<ConfigKey<?>> keys() {
      List<ConfigKey<?>> keys = new ArrayList<>();
      for (Field f : keysClass.getDeclaredFields()) {
        int m = f.getModifiers();
        if (Modifier.isStatic(m) && Modifier.isPublic(m) && f.getType() == ConfigKey.class) {
          try {
            keys.add((ConfigKey<?>) f.get(null));  // initializes the class, which registers its keys
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(f + " is public", e);
          }
        }
      }
      keys.sort(Comparator.comparing(ConfigKey::name));
      return keys;
    }
  }

  /** Sections in the order a reader sets things up: where the masters are, then each process. */
  public static final List<Section> SECTIONS = List.of(
      new Section("common: every process (masters' addresses, RPC, identity)", CommonKeys.class),
      new Section("rpc server limits: the master's and the workers' data servers", RpcLimits.class),
      new Section("rpc tls: encryption of every RPC connection, the same on every process (SECURITY.md)",
          TlsKeys.class),
      new Section("master", MasterKeys.class),
      new Section("security: permission checks on the master", SecurityKeys.class),
      new Section("worker", WorkerKeys.class),
      new Section("client: the Java client under the CLI, FUSE and Hadoop", ClientKeys.class),
      new Section("fuse: the FUSE mount", FuseKeys.class));

  private KnownKeys() {}

  /** Every key of every section, sections in order. */
  public static List<ConfigKey<?>> all() {
    List<ConfigKey<?>> all = new ArrayList<>();
    SECTIONS.forEach(s -> all.addAll(s.keys()));
    return all;
  }
}
