package io.sluice.cli.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.sluice.cli.CliCluster;
import io.sluice.cli.CliCluster.Result;
import io.sluice.common.proto.GetMountsResponse;
import io.sluice.common.proto.JobStatus;
import io.sluice.common.proto.MountInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice mounts} and {@code sluice job} with {@code --output json}, against a real master and worker. */
class MountJsonCommandsTest {
  @TempDir
  static Path dir;
  static CliCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new CliCluster(dir);
    cluster.awaitWorker();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void mountsJsonParsesBackWithSecretsMasked() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs-m"));
    Result m = cluster.run("mount", "/m", ufs.toUri().toString(), "--option", "x.secret=hunter2",
        "--option", "x.region=eu", "--sync-interval", "never", "--read-only");
    assertEquals(0, m.exit(), m.toString());
    Result r = cluster.run("mounts", "--output", "json");
    assertEquals(0, r.exit(), r.toString());
    assertFalse(r.out().contains("hunter2"), r.out());
    GetMountsResponse.Builder b = GetMountsResponse.newBuilder();
    JsonFormat.parser().merge(r.out(), b);
    MountInfo info = b.getMountsList().stream().filter(i -> i.getPath().equals("/m")).findFirst().orElseThrow();
    assertEquals(ufs.toUri().toString().replaceAll("/$", ""), info.getUfsUri().replaceAll("/$", ""));
    assertEquals("****", info.getOptionsOrThrow("x.secret"));
    assertEquals("eu", info.getOptionsOrThrow("x.region"));
    assertEquals(-1, info.getSyncIntervalMs(), "never");
    assertTrue(info.getReadOnly());
  }

  @Test
  void jobJsonParsesBackAndUnknownJobsFail() throws Exception {
    Path ufs = Files.createDirectories(dir.resolve("ufs-j"));
    Files.write(ufs.resolve("f"), new byte[1234]);
    assertEquals(0, cluster.run("mount", "/j", ufs.toUri().toString()).exit());
    Result load = cluster.run("load", "/j");
    assertEquals(0, load.exit(), load.toString());
    long id = Long.parseLong(load.out().replaceAll("(?s)load job (\\d+) started.*", "$1"));
    JobStatus[] last = new JobStatus[1];
    CliCluster.await(() -> {
      Result r = cluster.run("job", Long.toString(id), "--output", "json");
      JobStatus.Builder b = JobStatus.newBuilder();
      try {
        JsonFormat.parser().merge(r.out(), b);
      } catch (Exception e) {
        throw new AssertionError(r.toString(), e);
      }
      last[0] = b.build();
      return last[0].getEndMs() != 0;
    }, Duration.ofSeconds(60), "the job to end");
    assertEquals(id, last[0].getJobId());
    assertEquals(JobStatus.State.SUCCEEDED, last[0].getState());
    assertEquals(1234, last[0].getBytesDone());

    Result unknown = cluster.run("job", "424242", "--output", "json");
    assertEquals(1, unknown.exit(), unknown.toString());
    assertEquals("", unknown.out());
    assertTrue(unknown.err().startsWith("sluice: ") && unknown.err().contains("424242"), unknown.toString());
    assertEquals(2, cluster.run("job", Long.toString(id), "--output", "json", "--watch").exit());
  }
}
