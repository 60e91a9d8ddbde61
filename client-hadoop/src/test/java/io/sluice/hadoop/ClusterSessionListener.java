package io.sluice.hadoop;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared {@link MiniSluiceCluster} when the JUnit launcher session ends, after every test class of both
 * engines (Jupiter and the vintage one running Hadoop's JUnit 4 contract suites). Registered in
 * {@code META-INF/services}. Cached Hadoop file systems are closed first, while their master is still up.
 */
public final class ClusterSessionListener implements LauncherSessionListener {
  @Override
  public void launcherSessionClosed(LauncherSession session) {
    try {
      FileSystem.closeAll();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      MiniSluiceCluster.shutdown();
    }
  }
}
