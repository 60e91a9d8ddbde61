package io.sluice.cli.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.CliCluster;
import io.sluice.cli.CliCluster.Result;
import io.sluice.common.conf.ConfigKey;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/sluice.properties} is generated from the key definitions ({@link ConfTemplate}) and cannot drift from
 * them: a key added, removed or re-documented without regenerating the file fails here.
 */
class ConfTemplateTest {
  private static final String REGENERATE = "bin/sluice conf template > conf/sluice.properties";

  @Test
  void theRepositoryTemplateIsTheGeneratedOne() throws IOException {
    Path file = Path.of(System.getProperty("basedir", "."), "..", "conf", "sluice.properties").normalize();
    assertTrue(Files.isRegularFile(file), file + " is missing; generate it with: " + REGENERATE);
    assertEquals(ConfTemplate.render(), Files.readString(file),
        file + " differs from what the *Keys classes generate; regenerate it with: " + REGENERATE);
  }

  @Test
  void theCommandPrintsTheTemplateWithEveryKeyCommentedOut() {
    Result r = CliCluster.runRaw("conf", "template");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(ConfTemplate.render(), r.out());
    for (ConfigKey<?> k : KnownKeys.all()) {
      assertTrue(r.out().contains("\n# " + k.name() + "=" + k.defaultText() + "\n"), k.name());
      assertTrue(k.doc() != null && !k.doc().isBlank(), k.name() + " has no doc line");
    }
  }

  @Test
  void longDocsWrapWithinTheLineLimit() {
    String doc = "word ".repeat(60);
    List<String> lines = ConfTemplate.wrap(doc);
    assertTrue(lines.size() > 1, lines.toString());
    lines.forEach(l -> assertTrue(l.length() <= 116, l));
    assertEquals(doc.strip(), String.join(" ", lines));
  }

  /** A new keys class (a UFS connector's, say) that nobody added to {@link KnownKeys} would be left out silently. */
  @Test
  void everyClassDefiningKeysIsListed() throws IOException {
    Set<String> listed = KnownKeys.SECTIONS.stream().map(s -> s.keysClass().getName())
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(listed, classesDefiningKeys(), "add the class to KnownKeys.SECTIONS, then regenerate: "
        + REGENERATE);
  }

  /** Main classes of Sluice's modules on the test class path with a static {@link ConfigKey} field. */
  private static Set<String> classesDefiningKeys() throws IOException {
    Set<String> found = new TreeSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      boolean ours = p.getFileName().toString().startsWith("sluice-") || p.endsWith(Path.of("target", "classes"));
      if (!ours || p.toString().contains("test-classes") || p.getFileName().toString().endsWith("-tests.jar")) {
        continue;
      }
      for (String name : classNames(p)) {
        if (definesKeys(name)) {
          found.add(name);
        }
      }
    }
    return found;
  }

  private static List<String> classNames(Path root) throws IOException {
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        files.map(f -> root.relativize(f).toString()).forEach(n -> addClass(names, n.replace(File.separatorChar, '/')));
      }
    } else if (Files.isRegularFile(root)) {
      try (JarFile jar = new JarFile(root.toFile())) {
        jar.stream().forEach(e -> addClass(names, e.getName()));
      }
    }
    return names;
  }

  private static void addClass(List<String> names, String entry) {
    if (entry.startsWith("io/sluice/") && entry.endsWith(".class") && !entry.contains("$")) {
      names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
    }
  }

  private static boolean definesKeys(String className) {
    try {
      // Not initialized: loading a class must not register its keys as a side effect of the scan.
      Class<?> c = Class.forName(className, false, ConfTemplateTest.class.getClassLoader());
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigKey.class) {
          return true;
        }
      }
      return false;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;  // needs an optional library this module does not have, e.g. a connector's SDK
    }
  }
}
